"""The council's staff: added on the command line, signed in by a single-use link, a
coordinator seeing every conference and a chair the ones assigned to them, every visit
audited under their own name (staff:<id>).

The Reid family's review conference (chaired by Rosa Quinn, rosa.quinn@example.gov.uk) and
the Okafor family's (another chair) are in one service with Priya Shah, a coordinator.
"""

from __future__ import annotations

import re

import aiohttp
import pytest
from aiohttp import web
from multidict import MultiDict
from sqlalchemy import select

from bot.model.tables import AuditEvent, Conference, Staff
from bot.review import staff as staff_members
from bot.web.app import create_app
from bot.web.staff_guard import STAFF_COOKIE, StaffVisit, staff_page
from tests.conftest import conference_with
from tests.test_chair_pages import OTHER_FAMILY, REID_FAMILY

ROSA = "rosa.quinn@example.gov.uk"


def add(database, name, email, role) -> int:
    with database.session() as session, session.begin():
        return staff_members.add_staff(session, name, email, role, actor="test").id


def link_for(database, staff_id) -> str:
    with database.session() as session, session.begin():
        return staff_members.issue_link(session, session.get(Staff, staff_id), actor="test")


def audit(database, actor):
    with database.session() as session:
        found = session.execute(
            select(AuditEvent).where(AuditEvent.actor == actor).order_by(AuditEvent.id)
        ).scalars()
        return [(event.action, event.record_id, event.detail) for event in found]


@staff_page("viewed_coordinators_test", coordinator_only=True)
def coordinators_only(visit: StaffVisit):
    return web.Response(text=f"for {visit.staff.name}")


@staff_page("imported_test", mutates=True, coordinator_only=True, takes_files=True)
def takes_a_file(visit: StaffVisit):
    return web.Response(text=visit.form["file"].file.read().decode())


@pytest.fixture
async def client(aiohttp_client, settings, database):
    app = create_app(settings)
    app.router.add_get("/test/coordinators", coordinators_only)
    app.router.add_post("/test/import", takes_a_file)
    return await aiohttp_client(app, cookie_jar=aiohttp.DummyCookieJar())


async def sign_in(client, database, staff_id) -> dict:
    response = await client.post(
        "/staff/sign-in", data={"token": link_for(database, staff_id)}, allow_redirects=False
    )
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == "/conferences"
    return {"Cookie": f"{STAFF_COOKIE}={response.cookies[STAFF_COOKIE].value}"}


async def csrf_of(client, headers) -> str:
    page = await (await client.get("/conferences", headers=headers)).text()
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_a_bad_role_or_a_second_entry_for_one_email_is_refused(database):
    add(database, "Priya Shah", "priya.shah@example.gov.uk", "coordinator")
    with database.session() as session:
        with pytest.raises(staff_members.StaffRefused, match="already"):
            staff_members.add_staff(session, "P Shah", "Priya.Shah@Example.gov.uk", "chair", "t")
        with pytest.raises(staff_members.StaffRefused, match="coordinator, chair"):
            staff_members.add_staff(session, "Al", "al@example.gov.uk", "manager", "t")
        with pytest.raises(staff_members.StaffRefused, match="not an email"):
            staff_members.add_staff(session, "Al", "al at example", "chair", "t")


def test_a_staff_chair_added_after_the_conference_is_assigned_to_it(database):
    reid, _ = conference_with(database, REID_FAMILY.replace(ROSA, ROSA.upper()))
    other, _ = conference_with(database, OTHER_FAMILY.replace(ROSA, "someone@example.gov.uk"))
    rosa = add(database, "Rosa Quinn", ROSA, "chair")
    with database.session() as session:
        assert session.get(Conference, reid).chair_staff_id == rosa
        assert session.get(Conference, other).chair_staff_id is None


async def test_staff_sign_in_once_see_their_conferences_and_are_audited(client, database):
    reid, _ = conference_with(database, REID_FAMILY)
    okafor, _ = conference_with(database, OTHER_FAMILY.replace(ROSA, "someone@example.gov.uk"))
    rosa = add(database, "Rosa Quinn", ROSA, "chair")
    priya = add(database, "Priya Shah", "priya.shah@example.gov.uk", "coordinator")

    assert (await client.get("/conferences")).status == 401
    token = link_for(database, rosa)
    chair = await client.post("/staff/sign-in", data={"token": token}, allow_redirects=False)
    again = await client.post("/staff/sign-in", data={"token": token}, allow_redirects=False)
    assert chair.status == 303 and again.status == 403  # a link works once
    rosa_cookie = {"Cookie": f"{STAFF_COOKIE}={chair.cookies[STAFF_COOKIE].value}"}
    page = await (await client.get("/conferences", headers=rosa_cookie)).text()
    assert f'href="/conferences/{reid}"' in page and okafor not in page
    assert "Wednesday 10 March 2027 at 1:30pm" in page and "Mia (11), Noah (6)" in page

    # Rosa reviews her conference as its chair; not the other one, nor a coordinator's page.
    review = await client.get(f"/conferences/{reid}", headers=rosa_cookie)
    assert review.status == 200 and "Signed in as" in await review.text()
    assert (await client.get(f"/conferences/{okafor}", headers=rosa_cookie)).status == 403
    assert (await client.get("/test/coordinators", headers=rosa_cookie)).status == 403

    coordinator = await sign_in(client, database, priya)
    page = await (await client.get("/conferences", headers=coordinator)).text()
    assert f"/conferences/{reid}/invites" in page and f"/conferences/{okafor}/invites" in page
    assert "Set up a conference" in page and "/conferences/import" in page
    assert (await client.get("/test/coordinators", headers=coordinator)).status == 200
    sent = await client.get(f"/conferences/{reid}", headers=coordinator, allow_redirects=False)
    assert sent.status == 303 and sent.headers["Location"] == f"/conferences/{reid}/invites"

    assert ("viewed_responses", reid, {}) in audit(database, f"staff:{rosa}")
    assert ("refused", okafor, {"page": "viewed_responses"}) in audit(database, f"staff:{rosa}")
    assert ("viewed_conferences", "conferences", {"shown": 2}) in audit(database, f"staff:{priya}")
    assert ("sent_to_invites", reid, {}) in audit(database, f"staff:{priya}")


async def test_a_file_only_where_the_page_takes_one_and_only_with_the_form_token(
    client, database
):
    priya = add(database, "Priya Shah", "priya.shah@example.gov.uk", "coordinator")
    headers = await sign_in(client, database, priya)
    csrf = await csrf_of(client, headers)
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", b"conference: {}", filename="family.yml")
    taken = await client.post("/test/import", data=form, headers=headers)
    assert taken.status == 200 and await taken.text() == "conference: {}"

    no_token = aiohttp.FormData()
    no_token.add_field("file", b"conference: {}", filename="family.yml")
    assert (await client.post("/test/import", data=no_token, headers=headers)).status == 400

    refused = aiohttp.FormData()  # the sign-out form takes words only
    refused.add_field("csrf", csrf)
    refused.add_field("note", b"x", filename="note.txt")
    assert (await client.post("/staff/sign-out", data=refused, headers=headers)).status == 400

    out = await client.post(
        "/staff/sign-out", data=MultiDict(csrf=csrf), headers=headers, allow_redirects=False
    )
    assert out.status == 303
    assert (await client.get("/conferences", headers=headers)).status == 401
    actions = [action for action, _, _ in audit(database, f"staff:{priya}")]
    assert "imported_test" in actions and "staff_signed_out" in actions
