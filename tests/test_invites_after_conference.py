"""Once a conference has taken place nobody is asked for their views: the coordinator's
Send, Send again and New code are hidden, and refused with a clear page; revoking still
works; an invite still waiting is withdrawn, not sent. The page's banner says only what a
change made there can put in its address."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import select

from bot.model.invites import live_invite
from bot.model.tables import AuditEvent, Conference, Participant
from bot.notify.invites import deliver_due_outreach
from bot.web.app import create_app
from tests.conftest import conference_with
from tests.test_invites_outreach import FAMILY, outreach, page, post, queue, with_fake_notify
from tests.test_staff import add, sign_in


@pytest.fixture
def family(database):
    conference_id, ids = conference_with(database, FAMILY)
    return {"id": conference_id, **ids}


@pytest.fixture
async def desk(aiohttp_client, database, family):
    """The web app and a signed-in coordinator (no Notify needed: nothing may be queued)."""
    client = await aiohttp_client(
        create_app(database.settings), cookie_jar=aiohttp.DummyCookieJar()
    )
    priya = add(database, "Priya Shah", "priya.shah@example.gov.uk", "coordinator")
    return client, await sign_in(client, database, priya), f"/conferences/{family['id']}"


def held_yesterday(database, family) -> None:
    with database.session() as session, session.begin():
        conference = session.get(Conference, family["id"])
        conference.date = datetime.now() - timedelta(days=1)


def refusals(database, family) -> list[str]:
    with database.session() as session:
        return list(
            session.execute(
                select(AuditEvent.action).where(
                    AuditEvent.record_id == family["id"],
                    AuditEvent.action == "invites_refused_conference_held",
                )
            ).scalars()
        )


async def test_no_invite_is_sent_once_the_conference_has_taken_place(desk, database, family):
    client, priya, base = desk
    held_yesterday(database, family)

    sent = await post(client, priya, base + "/invites/send")
    assert sent.status == 409
    assert "The conference has already taken place" in await sent.text()
    for do in ("resend", "reissue"):
        changed = await post(client, priya, base + "/invites/P1", do=do)
        assert changed.status == 409
    assert outreach(database, family) == []
    assert len(refusals(database, family)) == 3

    revoked = await post(client, priya, base + "/invites/P1", do="revoke")
    assert revoked.status == 303
    with database.session() as session:
        assert live_invite(session.get(Participant, family["P1"])) is None


async def test_invites_still_go_before_the_conference(desk, database, family):
    client, priya, base = desk
    sent = await post(client, priya, base + "/invites/send")
    assert sent.status == 303
    assert outreach(database, family) != [] and refusals(database, family) == []


async def test_the_banner_says_only_what_a_change_of_ours_can_put_there(desk):
    client, priya, base = desk
    shown = await client.get(
        base + "/invites?did=sent&messages=3&started=Call+0800+000+000+now", headers=priya
    )
    text = await shown.text()
    assert "3 emails and texts" in text
    assert "0800" not in text
    spoofed = await client.get(base + "/invites?did=Your+account+is+locked", headers=priya)
    assert "Your account is locked" not in await spoofed.text()


async def test_a_held_conference_s_page_offers_no_send_and_says_why(desk, database, family):
    client, priya, base = desk
    before = await page(client, priya, base + "/invites")
    assert "Send every invite not yet sent" in before and "New code" in before
    held_yesterday(database, family)
    shown = await page(client, priya, base + "/invites")
    assert "so invites can no longer be sent" in shown and "data-held" in shown
    for button in ("Send every invite not yet sent", "Send again", "New code"):
        assert button not in shown
    assert shown.count('value="revoke"') == 4  # revoking still works, for each of the four


def test_an_invite_still_waiting_when_the_conference_begins_is_withdrawn_not_sent(
    database, family, fake_notify
):
    queue(database, family)  # Notify was down, or a template unset, until after it began
    held_yesterday(database, family)
    before = len(fake_notify.received)
    assert deliver_due_outreach(database, with_fake_notify(database, fake_notify)) == 0
    assert len(fake_notify.received) == before
    rows = outreach(database, family)
    assert {(row.status, row.last_error) for row in rows if row.channel != "letter"} == {
        ("revoked", "the conference has begun")
    }
    with database.session() as session:
        withdrawn = session.execute(
            select(AuditEvent.detail).where(
                AuditEvent.action == "outreach_withdrawn",
                AuditEvent.record_id.in_([str(row.id) for row in rows]),
            )
        ).scalars().all()  # fmt: skip
    assert withdrawn == [{"why": "the conference has begun"}] * 5
