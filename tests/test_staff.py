"""The council's staff: added on the command line, signed in by a single-use link, a
coordinator seeing every conference and a chair the ones assigned to them, every visit
audited under their own name (staff:<id>).

The Reid family's review conference (chaired by Rosa Quinn, rosa.quinn@example.gov.uk) and
the Okafor family's (another chair) are in one service with Priya Shah, a coordinator.
"""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from datetime import datetime, time, timedelta
from html import unescape

import aiohttp
import pytest
import requests
from aiohttp import web
from multidict import MultiDict
from sqlalchemy import select

from bot.cli import main
from bot.log_privacy import redact
from bot.model.answers import save_answer
from bot.model.database import Database
from bot.model.tables import (
    AuditEvent,
    Conference,
    Decision,
    Participant,
    SafeguardingAlert,
    Staff,
    utcnow,
)
from bot.review import staff as staff_members
from bot.review.record import uk_today
from bot.settings import load_settings
from bot.web.app import create_app
from bot.web.staff_guard import STAFF_COOKIE, StaffVisit, staff_page
from tests.conftest import BIN, conference_with, environment_for, import_conference
from tests.test_chair_pages import GOOD_DECISION, OTHER_FAMILY, REID_FAMILY

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
    assert ("chair_assigned", reid, {"staff": rosa, "by": "email"}) in audit(database, "test")


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
    posted = await client.post(
        f"/conferences/{reid}/decision",
        data={"csrf": await csrf_of(client, coordinator)},
        headers=coordinator,
        allow_redirects=False,
    )
    assert posted.status == 403 and "Only the conference's chair" in unescape(await posted.text())

    assert ("viewed_responses", reid, {}) in audit(database, f"staff:{rosa}")
    assert ("refused", okafor, {"page": "viewed_responses"}) in audit(database, f"staff:{rosa}")
    assert ("viewed_conferences", "conferences", {"shown": 2}) in audit(database, f"staff:{priya}")
    assert ("sent_to_invites", reid, {}) in audit(database, f"staff:{priya}")


async def test_a_file_only_where_the_page_takes_one_and_only_with_the_form_token(client, database):
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


# ---------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path, database_url, monkeypatch, fake_notify):
    """`companion` in this process, on this test's database, emailing through a fake Notify."""
    env = {
        **environment_for(tmp_path, DATABASE_URL=database_url),
        **fake_notify.environment(),
        "NOTIFY_SIGN_IN_TEMPLATE_ID": "staff-sign-in-template",
        "COMPANION_PUBLIC_URL": "https://companion.example.gov.uk",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_staff_add_then_import_assigns_the_chair_and_staff_link_emails_a_working_link(
    cli, tmp_path, capsys, fake_notify
):
    assert main(["staff", "add", "--name", "Rosa Quinn", "--email", ROSA, "--role", "chair"]) == 0
    said = capsys.readouterr()
    assert f"Added Rosa Quinn ({ROSA}) as a conference chair." in said.out
    assert f"companion staff link {ROSA}" in said.out

    refused = ["staff", "add", "--name", "R Quinn", "--email", ROSA.upper(), "--role", "chair"]
    assert main(refused) == 2
    assert (
        f"Nobody was added. There is already a member of staff with the email {ROSA.upper()}"
        in (capsys.readouterr().err)
    )
    wrong_role = ["staff", "add", "--name", "Al Bell", "--email", "al@x.gov.uk", "--role", "boss"]
    assert main(wrong_role) == 2
    assert "The role must be one of coordinator, chair, not 'boss'." in capsys.readouterr().err

    # Rosa was added before the conference: importing it makes her its chair.
    family = tmp_path / "reid.yml"
    family.write_text(REID_FAMILY)
    assert main(["conference", "import", str(family)]) == 0
    conference_id = json.loads(capsys.readouterr().out)["conference_id"]
    database = Database(load_settings(cli))
    try:
        with database.session() as session:
            conference = session.get(Conference, conference_id)
            assert conference.chair_staff is not None and conference.chair_staff.email == ROSA

        before = len(fake_notify.received)
        assert main(["staff", "link", ROSA]) == 0
        printed = capsys.readouterr()
        link = printed.out.strip()
        assert link.startswith("https://companion.example.gov.uk/staff/sign-in/")
        assert f"emailed to {ROSA}" in printed.err
        sent = [
            m for m in fake_notify.received[before:] if m["template_id"] == "staff-sign-in-template"
        ]  # not the invites and reminders the session's running service sends meanwhile
        assert [m["email_address"] for m in sent] == [ROSA]
        assert sent[0]["personalisation"] == {
            "name": "Rosa Quinn",
            "conference_date": "Wednesday 10 March 2027 at 1:30pm",
            "local_authority": "Northfield Borough Council",
            "link": link,
        }
        with database.session() as session, session.begin():
            signed = staff_members.redeem_link(session, link.rsplit("/", 1)[1])
            assert signed is not None and signed.who.email == ROSA
    finally:
        database.dispose()

    assert main(["staff", "link", "nobody@example.gov.uk"]) == 2
    assert "no member of staff with the email nobody@example.gov.uk" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# A staff chair on the chair's pages
# ---------------------------------------------------------------------------------------------

CHAIRLESS = REID_FAMILY.replace(
    "  - {key: P5, name: Rosa Quinn, role: chair, email: rosa.quinn@example.gov.uk}\n", ""
)


async def test_a_staff_chair_decides_and_reads_alerts_under_their_own_name(client, database):
    conference_id, ids = conference_with(database, REID_FAMILY)
    rosa = add(database, "Rosa Quinn", ROSA, "chair")
    with database.session() as session, session.begin():
        session.add(
            SafeguardingAlert(
                conference_id=conference_id,
                participant_id=ids["P2"],
                kind="concern",
                text="Someone shouts at night",
            )
        )
    headers = await sign_in(client, database, rosa)
    base = f"/conferences/{conference_id}"
    alerts = await (await client.get(base + "/alerts", headers=headers)).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', alerts).group(1)
    alert_id = re.search(r'name="alert" value="(\d+)"', alerts).group(1)
    read = await client.post(
        base + "/alerts/read",
        data={"csrf": csrf, "alert": alert_id},
        headers=headers,
        allow_redirects=False,
    )
    assert read.status == 303
    decided = await client.post(
        base + "/decision",
        data=MultiDict([*GOOD_DECISION, ("csrf", csrf)]),
        headers=headers,
        allow_redirects=False,
    )
    assert decided.status == 303, await decided.text()
    assert (await client.get("/conferences", headers=headers)).status == 200

    actions = {action for action, _, _ in audit(database, f"staff:{rosa}")}
    assert {"alert_read", "decision_recorded", "recorded_decision", "viewed_alerts"} <= actions
    assert audit(database, f"participant:{conference_id}:P5") == []  # Rosa, not her chat
    with database.session() as session:
        decision = session.get(Decision, conference_id)
        assert decision.updated_by.key == "P5"  # the conference's chair, whom Rosa is

    # Signing out from a review page ends her staff session: the list is closed too.
    out = await client.post(
        base + "/sign-out", data={"csrf": csrf}, headers=headers, allow_redirects=False
    )
    assert out.status == 303 and (await client.get("/conferences", headers=headers)).status == 401


async def test_a_staff_chair_of_a_conference_with_no_chair_participant_becomes_one(
    client, database
):
    conference_id, _ = conference_with(database, CHAIRLESS)
    rosa = add(database, "Rosa Quinn", ROSA, "chair")
    with database.session() as session, session.begin():
        session.get(Conference, conference_id).chair_staff_id = rosa  # chosen on the form
    headers = await sign_in(client, database, rosa)
    page = await client.get(f"/conferences/{conference_id}", headers=headers)
    assert page.status == 200 and "Signed in as Rosa Quinn" in await page.text()
    with database.session() as session:
        chairs = [
            p for p in session.get(Conference, conference_id).participants if p.role == "chair"
        ]
        assert [(p.key, p.name, p.email, p.scores) for p in chairs] == [
            ("chair", "Rosa Quinn", ROSA, False)
        ]
    assert ("chair_participant_added", conference_id, {"key": "chair"}) in audit(
        database, f"staff:{rosa}"
    )


async def test_the_sign_in_link_shows_a_button_and_a_removed_member_of_staff_cannot_use_it(
    client, database
):
    priya = add(database, "Priya Shah", "priya.shah@example.gov.uk", "coordinator")
    token = link_for(database, priya)
    page = await (await client.get(f"/staff/sign-in/{token}")).text()
    assert 'action="/staff/sign-in"' in page and token in page
    headers = await sign_in(client, database, priya)
    with database.session() as session, session.begin():
        session.get(Staff, priya).removed_at = utcnow()
    assert (await client.get("/conferences", headers=headers)).status == 401
    refused = await client.post("/staff/sign-in", data={"token": token}, allow_redirects=False)
    assert refused.status == 403 and STAFF_COOKIE not in refused.cookies
    # A chair's sign-in from a chat invite is not a staff link, nor the other way round.
    chair_way = await client.post("/sign-in", data={"token": token}, allow_redirects=False)
    assert chair_way.status == 403


# ---------------------------------------------------------------------------------------------
# The whole stack
# ---------------------------------------------------------------------------------------------


def companion(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "companion"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_a_chair_added_on_the_command_line_signs_in_on_the_running_service(stack, tmp_path):
    """`companion staff add`, a conference imported with her email, `companion staff link`:
    the link signs her in on the real web app, over HTTP, to her conference among hers."""
    email = f"rosa.{uuid.uuid4().hex[:8]}@example.gov.uk"  # the stack is shared by tests
    companion(
        stack.env, "staff", "add", "--name", "Rosa Quinn", "--email", email, "--role", "chair"
    )
    family = tmp_path / "reid.yml"
    family.write_text(REID_FAMILY.replace(ROSA, email))
    conference_id = import_conference(stack.env, family)["id"]
    link = companion(stack.env, "staff", "link", email).stdout.strip()
    web_url = stack.settings.public_url
    assert link.startswith(f"{web_url}/staff/sign-in/")

    browser = requests.Session()
    page = browser.get(link, timeout=30)
    assert page.status_code == 200 and "Sign in to your conferences" in page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    signed = browser.post(f"{web_url}/staff/sign-in", data={"token": token}, timeout=30)
    assert signed.status_code == 200 and signed.url == f"{web_url}/conferences"
    assert f'href="/conferences/{conference_id}"' in signed.text
    assert "Mia (11), Noah (6)" in signed.text and "0 of 6" in signed.text

    review = browser.get(f"{web_url}/conferences/{conference_id}", timeout=30)
    assert review.status_code == 200 and "Who has answered" in review.text
    assert "Signed in as Rosa Quinn" in review.text
    again = requests.post(f"{web_url}/staff/sign-in", data={"token": token}, timeout=30)
    assert again.status_code == 403  # the link worked once
    assert requests.get(f"{web_url}/conferences", timeout=30).status_code == 401


async def test_the_list_puts_upcoming_first_and_counts_answers_alerts_and_late_reports(
    client, database
):
    """Three conferences: the Reid family's in two days (reports were due five working days
    before), another's next month and one held last week, in that order."""
    soon, ids = conference_with(database, REID_FAMILY)
    later, _ = conference_with(database, OTHER_FAMILY)
    held, _ = conference_with(database, OTHER_FAMILY.replace("Okafor", "Held"))
    today = datetime.combine(uk_today(), time(13, 30))
    with database.session() as session, session.begin():
        for conference_id, when in (
            (soon, today + timedelta(days=2)),
            (later, today + timedelta(days=30)),
            (held, today - timedelta(days=7)),
        ):
            session.get(Conference, conference_id).date = when
        people = {key: session.get(Participant, pid) for key, pid in ids.items()}
        shared = save_answer(session, people["P3"], None, "report_shared", "Yes")
        shared.choice = "yes"  # the social worker's report reached the family; Ben's and Kim's not
        people["P1"].response_status = "submitted"
        people["P3"].response_status = "submitted"
        session.add(
            SafeguardingAlert(
                conference_id=soon, participant=people["P2"], kind="concern", text="At night"
            )
        )
    priya = add(database, "Priya Shah", "priya.shah@example.gov.uk", "coordinator")
    page = await (
        await client.get("/conferences", headers=await sign_in(client, database, priya))
    ).text()

    coming, past = page.split('data-conferences="Coming up"')[1].split(
        'data-conferences="Already held"'
    )
    assert coming.index(soon) < coming.index(later) and held in past and held not in coming
    row = coming.split(soon)[1].split("</tr>")[0]
    cells = [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[:5] == [
        "Review",
        "Mia (11), Noah (6)",
        "2 of 6",
        '<strong class="govuk-tag govuk-tag--red">1</strong>',
        '<strong class="govuk-tag govuk-tag--orange">2</strong>',
    ]
    later_row = coming.split(later)[1].split("</tr>")[0]
    assert later_row.count("None") == 2  # no alert, and its reports are not due yet


def test_a_staff_sign_in_link_never_reaches_the_log():
    token = "kU3v9Yx_b-0Qw" * 3
    assert redact(f"GET /staff/sign-in/{token} HTTP/1.1 200") == (
        "GET /staff/sign-in/[hidden] HTTP/1.1 200"
    )
