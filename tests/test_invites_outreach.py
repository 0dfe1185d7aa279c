"""Invites that reach people: queued for each email address and mobile number of everyone
asked for their views, sent through (a local fake of) GOV.UK Notify over real HTTP, followed
to Notify's delivery report; a letter for those with neither; resend, revoke and reissue."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta

import aiohttp
import pytest
import segno
from sqlalchemy import select

from bot.codes import hash_code
from bot.model.invites import Redemption, live_invite, redeem, reissue_invite, revoke_invites
from bot.model.tables import AuditEvent, Conference, Invite, Outreach, Participant, utcnow
from bot.notify import reminders
from bot.notify.invites import (
    NOT_SET_UP,
    check_delivery,
    contact_status,
    deliver_due_outreach,
    invite_status,
    queue_invites,
)
from bot.notify.outreach_words import REASONS
from bot.notify.reminders import UK
from bot.web.app import create_app
from tests import fake_notify as fake
from tests.conftest import conference_with
from tests.test_staff import add, sign_in

FAMILY = f"""
conference:
  type: review
  date: {(datetime.now() + timedelta(days=9)):%Y-%m-%dT10:00}
  local_authority: Example Borough Council
children:
  - {{key: A, name: Ava, age: 9}}
  - {{key: B, name: Leo, age: 4}}
danger_statements:
  - key: D1
    danger: The children could be hurt when mum and dad argue.
    safety_goal: Arguments never turn into hitting.
    children: [A, B]
participants:
  - {{key: P1, name: Kelly Smith, role: parent, children: [A, B],
     email: kelly@example.com, phone: '07700900111'}}
  - {{key: P2, name: Ava Smith, role: young_person, child: A}}
  - {{key: P3, name: Jo Brown, role: social_worker, agency: Children's Social Care,
     email: jo.brown@example.gov.uk, phone: '07700900001'}}
  - {{key: P4, name: Dr Amy Lee, role: professional, agency: GP practice,
     email: amy.lee@example.nhs.uk}}
  - {{key: P5, name: Sam Patel, role: chair, email: sam.patel@example.gov.uk}}
"""


@pytest.fixture
def family(database):
    """A family of two children with five participants: {"id": conference id, key: id}."""
    conference_id, ids = conference_with(database, FAMILY)
    return {"id": conference_id, **ids}


@pytest.fixture
def notify_settings(database, fake_notify):
    return with_fake_notify(database, fake_notify)


def with_fake_notify(database, fake_notify):
    """The database's settings, with the fake Notify and its four templates."""
    env = fake_notify.environment()
    return dataclasses.replace(
        database.settings,
        notify_api_key=env["NOTIFY_API_KEY"],
        notify_base_url=env["NOTIFY_BASE_URL"],
        notify_invite_email_template_id=fake.INVITE_EMAIL_TEMPLATE,
        notify_invite_sms_template_id=fake.INVITE_SMS_TEMPLATE,
        notify_reminder_email_template_id=fake.REMINDER_EMAIL_TEMPLATE,
        notify_reminder_sms_template_id=fake.REMINDER_SMS_TEMPLATE,
    )


def queue(database, family, key=None):
    with database.session() as session, session.begin():
        conference = session.get(Conference, family["id"])
        participant = session.get(Participant, family[key]) if key else None
        return queue_invites(session, conference, "staff:1", participant)


def outreach(database, family) -> list[Outreach]:
    with database.session() as session:
        return (
            session.execute(
                select(Outreach)
                .join(Participant)
                .where(Participant.conference_id == family["id"])
                .order_by(Outreach.id)
            )
            .scalars()
            .all()
        )


def contacts_of(rows) -> list[tuple]:
    return sorted((row.participant_id, row.channel, row.recipient, row.status) for row in rows)


def codes_of(database, conference_id: str) -> list[str]:
    """Every code this conference's people have been given, revoked ones too."""
    with database.session() as session:
        invites = session.execute(
            select(Invite).join(Participant).where(Participant.conference_id == conference_id)
        ).scalars()
        return [invite.code for invite in invites if invite.code]


def sent_since(fake_notify, before: int, database, family) -> list[dict]:
    """The messages Notify has received for this family since `before`: not those the
    session's running service sends meanwhile for conferences of its own."""
    return fake_notify.about(*codes_of(database, family["id"]), since=before)


def test_everyone_asked_for_their_views_gets_one_invite_per_contact_or_a_letter(database, family):
    queued = queue(database, family)
    assert (queued.messages, queued.letters, queued.started) == (5, 1, [])
    assert contacts_of(outreach(database, family)) == sorted(
        [
            (family["P1"], "email", "kelly@example.com", "pending"),
            (family["P1"], "sms", "07700900111", "pending"),
            (family["P2"], "letter", None, "pending"),  # Ava gave neither: a letter to print
            (family["P3"], "email", "jo.brown@example.gov.uk", "pending"),
            (family["P3"], "sms", "07700900001", "pending"),
            (family["P4"], "email", "amy.lee@example.nhs.uk", "pending"),
        ]
    )  # the chair signs in as staff and is not invited
    assert all(
        row.kind == "invite" and row.reason == "invite" for row in outreach(database, family)
    )
    again = queue(database, family)  # pressed twice: nothing more
    assert (again.messages, again.letters) == (0, 0)
    assert len(outreach(database, family)) == 6
    with database.session() as session:
        invite = session.get(Invite, outreach(database, family)[0].invite_id)
        assert invite.code and hash_code(invite.code) == invite.code_hash  # kept, encrypted
        queued_events = session.execute(
            select(AuditEvent).where(AuditEvent.action == "invite_queued")
        ).scalars().all()  # fmt: skip
        assert len(queued_events) == 6 and {e.actor for e in queued_events} == {"staff:1"}


def test_a_participant_who_prefers_a_letter_gets_one_even_with_an_email(database, family):
    with database.session() as session, session.begin():
        session.get(Participant, family["P4"]).channel = "letter"
    queue(database, family)
    amy = [row for row in outreach(database, family) if row.participant_id == family["P4"]]
    assert [(row.channel, row.recipient) for row in amy] == [("letter", None)]


def test_each_message_goes_through_notify_with_a_link_that_carries_the_code(
    database, family, fake_notify, notify_settings
):
    queue(database, family)
    before = len(fake_notify.received)
    assert deliver_due_outreach(database, notify_settings) == 5
    messages = sent_since(fake_notify, before, database, family)
    assert sorted((m.get("email_address") or m["phone_number"]) for m in messages) == sorted(
        [
            "kelly@example.com",
            "07700900111",
            "jo.brown@example.gov.uk",
            "07700900001",
            "amy.lee@example.nhs.uk",
        ]
    )
    for message in messages:
        email = "email_address" in message
        assert message["template_id"] == (
            fake.INVITE_EMAIL_TEMPLATE if email else fake.INVITE_SMS_TEMPLATE
        )
        fields = message["personalisation"]
        assert fields["reason"] == REASONS["invite"]
        assert fields["local_authority"] == "Example Borough Council"
        assert fields["web_link"] == f"{notify_settings.public_url}/chat#invite={fields['code']}"
        assert fields["telegram_link"] == ""  # Telegram is not set up here
    with database.session() as session, session.begin():
        # Each message's code is its person's live invite: the first to be opened starts
        # their chat, and the same person's other message returns to it.
        for message in messages:
            fields = message["personalisation"]
            result = redeem(session, hash_code(fields["code"]), f"web:{fields['name']}")
            assert result.outcome in (Redemption.JOINED, Redemption.RETURNING)
            assert result.participant.name == fields["name"]
    assert {m["personalisation"]["name"] for m in messages} == {
        "Kelly Smith",
        "Jo Brown",
        "Dr Amy Lee",
    }
    rows = outreach(database, family)
    assert {(row.channel, row.status) for row in rows} == {
        ("email", "sent"),
        ("sms", "sent"),
        ("letter", "pending"),  # printed by the coordinator, never sent
    }
    assert all(row.provider_id and row.sent_at for row in rows if row.channel != "letter")
    assert deliver_due_outreach(database, notify_settings) == 0  # nothing twice
    assert len(sent_since(fake_notify, before, database, family)) == 5


def test_a_contact_notify_refuses_fails_at_once_and_says_what_to_do(
    database, family, fake_notify, notify_settings
):
    fake_notify.refused.add("07700900111")
    queue(database, family)
    assert deliver_due_outreach(database, notify_settings) == 4
    refused = [row for row in outreach(database, family) if row.recipient == "07700900111"][0]
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert "Not a UK mobile number" in refused.last_error
    status = contact_status(refused)
    assert status.words == "Failed"
    assert "this email address or mobile number is not valid. Check it with the person" in (
        status.advice
    )
    with database.session() as session, session.begin():
        session.get(Outreach, refused.id).next_attempt_at = utcnow() - timedelta(hours=1)
    assert deliver_due_outreach(database, notify_settings) == 0  # not tried for ever
    fake_notify.refused.discard("07700900111")


@pytest.mark.parametrize(
    ("notify_says", "what_to_do"),
    [
        (
            "Can't send to this recipient using a team-only API key",
            "NOTIFY_API_KEY is a team-only key: set a live key, or add this contact",
        ),
        (
            "Missing personalisation: first_name",
            "The template in NOTIFY_INVITE_SMS_TEMPLATE_ID asks for a field",
        ),
        ("Template not found", "Check that NOTIFY_INVITE_SMS_TEMPLATE_ID names a template"),
    ],
)
def test_a_message_notify_refuses_for_our_set_up_waits_saying_what_to_set_then_goes(
    database, family, fake_notify, notify_settings, notify_says, what_to_do
):
    fake_notify.bad_requests["07700900111"] = notify_says
    try:
        queue(database, family, "P1")
        assert deliver_due_outreach(database, notify_settings) == 1  # her email goes
        text = [row for row in outreach(database, family) if row.channel == "sms"][0]
        assert (text.status, text.attempts) == ("pending", 1)  # not failed: not her number
        assert text.next_attempt_at > utcnow()
        status = contact_status(text)
        assert status.words == "Waiting to send" and status.status == "waiting"
        assert status.advice.startswith("Not sent yet: GOV.UK Notify would not send it")
        assert notify_says in status.advice and what_to_do in status.advice
        assert "not valid" not in status.advice
        assert deliver_due_outreach(database, notify_settings) == 0  # not asked every round
    finally:
        del fake_notify.bad_requests["07700900111"]
    with database.session() as session, session.begin():
        session.get(Outreach, text.id).next_attempt_at = utcnow()  # its next try comes
        held = session.execute(
            select(AuditEvent).where(
                AuditEvent.action == "outreach_held_setup", AuditEvent.record_id == str(text.id)
            )
        ).scalars().all()  # fmt: skip
        assert len(held) == 1 and held[0].actor == "service"
    assert deliver_due_outreach(database, notify_settings) == 1  # put right: it goes
    text = [row for row in outreach(database, family) if row.channel == "sms"][0]
    assert (text.status, text.last_error) == ("sent", None)


def test_notify_down_is_tried_again_later(database, family, fake_notify, notify_settings):
    queue(database, family, "P4")
    fake_notify.failures_to_give = 1
    assert deliver_due_outreach(database, notify_settings) == 0
    (row,) = outreach(database, family)
    assert (row.status, row.attempts) == ("pending", 1) and "500" in row.last_error
    assert row.next_attempt_at > utcnow()  # backs off
    assert deliver_due_outreach(database, notify_settings) == 0  # not yet
    with database.session() as session, session.begin():
        session.get(Outreach, row.id).next_attempt_at = utcnow()
    assert deliver_due_outreach(database, notify_settings) == 1
    assert outreach(database, family)[0].status == "sent"


def test_delivery_reports_are_recorded_with_what_to_do(
    database, family, fake_notify, notify_settings
):
    queue(database, family)
    before = len(fake_notify.received)
    deliver_due_outreach(database, notify_settings)
    ids = {
        (m.get("email_address") or m["phone_number"]): m["id"]
        for m in sent_since(fake_notify, before, database, family)
    }
    fake_notify.statuses[ids["07700900111"]] = "permanent-failure"
    fake_notify.statuses[ids["07700900001"]] = "temporary-failure"
    fake_notify.statuses[ids["amy.lee@example.nhs.uk"]] = "sending"
    assert check_delivery(database, notify_settings) == 4
    rows = {row.recipient: row for row in outreach(database, family)}
    assert (
        rows["kelly@example.com"].status == "delivered" and rows["kelly@example.com"].delivered_at
    )
    assert rows["jo.brown@example.gov.uk"].status == "delivered"
    assert rows["amy.lee@example.nhs.uk"].status == "sent"  # still on its way
    assert rows["amy.lee@example.nhs.uk"].status_checked_at
    wrong = contact_status(rows["07700900111"])
    assert wrong.words == "Failed" and "wrong or no longer used" in wrong.advice
    later = contact_status(rows["07700900001"])
    assert "phone was off" in later.advice and "again later" in later.advice
    assert check_delivery(database, notify_settings) == 0  # asked again only after a minute
    with database.session() as session, session.begin():
        unknown = session.get(Outreach, rows["amy.lee@example.nhs.uk"].id)
        unknown.provider_id, unknown.status_checked_at = "not-at-notify", None
    assert check_delivery(database, notify_settings) == 0  # Notify's 404: asked again later
    assert outreach(database, family)[-1].status == "sent"
    with database.session() as session:
        kelly = session.get(Participant, family["P1"])
        assert invite_status(kelly, None, [rows["kelly@example.com"]]) == "delivered"


def test_revoke_stops_the_code_and_reissue_sends_a_new_one(
    database, family, fake_notify, notify_settings
):
    queue(database, family, "P1")
    with database.session() as session, session.begin():
        kelly = session.get(Participant, family["P1"])
        old_code = live_invite(kelly).code
        assert revoke_invites(session, kelly, "staff:1") == 1
    assert {row.status for row in outreach(database, family)} == {"revoked"}  # never sent
    assert deliver_due_outreach(database, notify_settings) == 0
    with database.session() as session, session.begin():
        assert redeem(session, hash_code(old_code), "web:x").outcome is Redemption.UNKNOWN
        kelly = session.get(Participant, family["P1"])
        assert invite_status(kelly, None, []) == "revoked"
    assert queue(database, family, "P1").revoked == ["Kelly Smith"]  # only a reissue sends
    with database.session() as session, session.begin():
        kelly = session.get(Participant, family["P1"])
        new_code = reissue_invite(session, kelly, "staff:1")
        assert live_invite(kelly).code == new_code != old_code
    queued = queue(database, family, "P1")
    assert queued.messages == 2
    before = len(fake_notify.received)
    assert deliver_due_outreach(database, notify_settings) == 2
    sent = sent_since(fake_notify, before, database, family)
    assert len(sent) == 2 and {m["personalisation"]["code"] for m in sent} == {new_code}


def test_resend_sends_again_and_someone_already_answering_is_not_invited_again(
    database, family, fake_notify, notify_settings
):
    queue(database, family, "P4")
    deliver_due_outreach(database, notify_settings)
    assert queue(database, family).messages == 4  # Amy's was sent: the others' now
    assert queue(database, family, "P4").messages == 1  # a resend
    deliver_due_outreach(database, notify_settings)
    with database.session() as session, session.begin():
        session.get(Participant, family["P1"]).response_status = "in_progress"
    everyone = queue(database, family)
    assert (everyone.messages, everyone.started) == (0, ["Kelly Smith"])
    assert queue(database, family, "P1").messages == 2  # asked for her alone: sent


def test_an_old_invite_without_its_code_is_reissued_unless_its_chat_is_open(database, family):
    with database.session() as session, session.begin():
        for key in ("P1", "P3"):
            live_invite(session.get(Participant, family[key])).code = None  # as before 0015
        live_invite(session.get(Participant, family["P3"])).bound_sender = "web:jo"
        old_kelly = live_invite(session.get(Participant, family["P1"])).id
    queued = queue(database, family)
    assert queued.no_code == ["Jo Brown"]  # opened: reissuing would take her chat away
    with database.session() as session:
        kelly = session.get(Participant, family["P1"])
        assert live_invite(kelly).id != old_kelly and live_invite(kelly).code
        assert session.get(Invite, old_kelly).revoked_at is not None
        assert invite_status(session.get(Participant, family["P3"]), None, []) == "opened"


def clock_at(monkeypatch, when: str) -> None:
    """The deliverer's clock at `when`, UK time (it holds reminders between 8pm and 8am)."""
    moment = datetime.fromisoformat(when).replace(tzinfo=UK)
    monkeypatch.setattr(reminders, "clock", lambda: moment)


def meets_on(database, family, when: str) -> None:
    """The conference at `when`, UK time (after a test's clock: nothing goes once it begins)."""
    with database.session() as session, session.begin():
        session.get(Conference, family["id"]).date = datetime.fromisoformat(when)


def remind_jo(database, family, *channels: str) -> None:
    """Reminders to Jo that her report is due, in the outbox as the reminder loop puts them."""
    with database.session() as session, session.begin():
        jo = session.get(Participant, family["P3"])
        for channel in channels:
            session.add(
                Outreach(
                    participant=jo,
                    kind="reminder",
                    reason="report_due",
                    channel=channel,
                    recipient=jo.email if channel == "email" else jo.phone,
                    created_by="service",
                )  # fmt: skip
            )


def test_reminders_go_with_the_reminder_templates_and_their_reason(
    database, family, fake_notify, notify_settings, monkeypatch
):
    meets_on(database, family, "2030-12-18T10:00")
    clock_at(monkeypatch, "2030-12-16T10:00")  # in the day: a reminder may go
    remind_jo(database, family, "email", "sms")
    before = len(fake_notify.received)
    assert deliver_due_outreach(database, notify_settings) == 2
    messages = sent_since(fake_notify, before, database, family)
    assert sorted(m["template_id"] for m in messages) == sorted(
        [fake.REMINDER_EMAIL_TEMPLATE, fake.REMINDER_SMS_TEMPLATE]
    )
    with database.session() as session:
        code = live_invite(session.get(Participant, family["P3"])).code
    assert {m["personalisation"]["reason"] for m in messages} == {REASONS["report_due"]}
    assert {m["personalisation"]["code"] for m in messages} == {code}


def test_a_reminder_due_at_night_waits_until_eight_but_an_invite_sent_then_goes(
    database, family, fake_notify, notify_settings, monkeypatch
):
    meets_on(database, family, "2030-12-18T10:00")
    remind_jo(database, family, "email")
    clock_at(monkeypatch, "2030-12-16T19:59")  # Notify cannot be reached: tried again soon
    unreachable = dataclasses.replace(notify_settings, notify_base_url="http://127.0.0.1:9")
    assert deliver_due_outreach(database, unreachable) == 0
    (reminder,) = outreach(database, family)
    assert (reminder.status, reminder.attempts) == ("pending", 1)
    assert reminder.next_attempt_at < datetime(2030, 12, 16, 20, 0)  # due again at once

    clock_at(monkeypatch, "2030-12-16T21:00")  # the retry waits; an invite sent now goes
    queue(database, family, "P4")
    before = len(fake_notify.received)
    assert deliver_due_outreach(database, notify_settings) == 1
    assert [m["email_address"] for m in sent_since(fake_notify, before, database, family)] == [
        "amy.lee@example.nhs.uk"
    ]
    with database.session() as session:
        held = session.get(Outreach, reminder.id)
        assert (held.status, held.attempts) == ("pending", 1)
        assert held.next_attempt_at == datetime(2030, 12, 17, 8, 0)  # 8am (GMT: UTC too)

    clock_at(monkeypatch, "2030-12-17T07:59")
    assert deliver_due_outreach(database, notify_settings) == 0
    clock_at(monkeypatch, "2030-12-17T08:00")
    before = len(fake_notify.received)
    assert deliver_due_outreach(database, notify_settings) == 1
    assert [
        (m["email_address"], m["template_id"])
        for m in sent_since(fake_notify, before, database, family)
    ] == [("jo.brown@example.gov.uk", fake.REMINDER_EMAIL_TEMPLATE)]
    with database.session() as session:
        assert session.get(Outreach, reminder.id).status == "sent"
        holds = session.execute(
            select(AuditEvent.actor, AuditEvent.record_id, AuditEvent.detail).where(
                AuditEvent.action == "reminder_held"
            )
        ).all()
    assert holds == [("service", str(reminder.id), {"until": "2030-12-17T08:00:00"})]  # once


def test_without_notify_nothing_is_sent_and_each_invite_says_why(database, family, settings):
    queue(database, family)
    assert deliver_due_outreach(database, settings) == 0
    rows = [row for row in outreach(database, family) if row.channel != "letter"]
    assert {(row.status, row.last_error) for row in rows} == {("pending", NOT_SET_UP)}
    assert "Not sent yet: GOV.UK Notify is not set up" in contact_status(rows[0]).advice


# The coordinator's page ----------------------------------------------------------------


@pytest.fixture
async def desk(aiohttp_client, database, notify_settings, family):
    """The web app (with the fake Notify) and a signed-in coordinator, Priya."""
    client = await aiohttp_client(create_app(notify_settings), cookie_jar=aiohttp.DummyCookieJar())
    priya = add(database, "Priya Shah", "priya.shah@example.gov.uk", "coordinator")
    return client, await sign_in(client, database, priya), f"/conferences/{family['id']}"


async def page(client, headers, path) -> str:
    response = await client.get(path, headers=headers)
    assert response.status == 200, await response.text()
    return await response.text()


def csrf_in(text: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', text).group(1)


async def post(client, headers, path, **data):
    form = {"csrf": csrf_in(await page(client, headers, "/conferences")), **data}
    return await client.post(path, data=form, headers=headers, allow_redirects=False)


def statuses_on(text: str) -> dict[str, str]:
    """Participant key -> their invite's status, as the page shows it."""
    return dict(re.findall(r'data-participant="(\w+)">.*?data-status="(\w+)"', text, re.S))


async def test_the_coordinator_sends_every_invite_and_sees_where_each_stands(
    desk, database, family, fake_notify, notify_settings
):
    client, priya, base = desk
    shown = await page(client, priya, base + "/invites")
    assert "Send every invite not yet sent" in shown and f'href="{base}/edit"' in shown
    assert statuses_on(shown) == {k: "not_sent" for k in ("P1", "P2", "P3", "P4")}  # no chair
    assert "ke…@example.com" in shown and "kelly@example.com" not in shown  # masked
    fake_notify.refused.add("07700900111")

    sent = await post(client, priya, base + "/invites/send")
    assert sent.status == 303
    assert sent.headers["Location"] == f"{base}/invites?did=sent&messages=5&letters=1"
    shown = await page(client, priya, sent.headers["Location"])
    assert "5 emails and texts will be sent in the next minute." in shown
    assert "1 letter is ready to print." in shown

    before = len(fake_notify.received)
    assert deliver_due_outreach(database, notify_settings) == 4  # Kelly's number is refused
    assert len(sent_since(fake_notify, before, database, family)) == 4
    check_delivery(database, notify_settings)
    shown = await page(client, priya, base + "/invites")
    assert statuses_on(shown) == {
        "P1": "delivered",  # by email; her text failed, and the page says what to do
        "P2": "to_print",
        "P3": "delivered",
        "P4": "delivered",
    }
    assert "mobile ending 111: Failed" in shown
    assert "this email address or mobile number is not valid. Check it with the person" in shown
    fake_notify.refused.discard("07700900111")

    again = await post(client, priya, base + "/invites/send")
    assert again.headers["Location"] == f"{base}/invites?did=sent"  # nothing left to send
    with database.session() as session:
        actions = session.execute(
            select(AuditEvent.action).where(AuditEvent.actor.like("staff:%"))
        ).scalars().all()  # fmt: skip
    assert {"invites_viewed", "invites_sent", "invite_queued"} <= set(actions)


def row_of(text: str, key: str) -> str:
    """One participant's row of the invites page."""
    return text.split(f'data-participant="{key}"')[1].split("</tr>")[0]


async def test_send_again_is_offered_once_something_went_and_preferences_are_in_words(
    desk, database, family, notify_settings
):
    client, priya, base = desk
    with database.session() as session, session.begin():
        session.get(Participant, family["P1"]).channel = "web"
        session.get(Participant, family["P2"]).channel = "letter"
    shown = await page(client, priya, base + "/invites")
    assert "Prefers: Web chat (a link by email or text)" in row_of(shown, "P1")
    assert "Prefers: A printed letter" in row_of(shown, "P2")
    assert "Prefers: Not said" in row_of(shown, "P3")
    assert 'value="resend"' not in shown  # nothing has gone to anyone yet
    await post(client, priya, base + "/invites/send")
    shown = await page(client, priya, base + "/invites")
    assert 'value="resend"' not in shown  # waiting to send, a letter to print: nothing went
    deliver_due_outreach(database, notify_settings)
    await post(client, priya, base + "/letter/P2/printed")
    shown = await page(client, priya, base + "/invites")
    for key in ("P1", "P2", "P3", "P4"):
        assert 'value="resend"' in row_of(shown, key), key


async def test_revoke_and_reissue_on_the_page(desk, database, family, fake_notify, notify_settings):
    client, priya, base = desk
    await post(client, priya, base + "/invites/P4", do="resend")
    with database.session() as session:
        old = live_invite(session.get(Participant, family["P4"])).code
    revoked = await post(client, priya, base + "/invites/P4", do="revoke")
    assert revoked.headers["Location"] == f"{base}/invites?did=revoke"
    shown = await page(client, priya, revoked.headers["Location"])
    assert "Its code no longer works" in shown and statuses_on(shown)["P4"] == "revoked"
    assert deliver_due_outreach(database, notify_settings) == 0  # the queued one is withdrawn
    assert "There is no code to print for Dr Amy Lee" in await page(
        client, priya, base + "/letter/P4"
    )
    with database.session() as session, session.begin():
        assert redeem(session, hash_code(old), "web:amy").outcome is Redemption.UNKNOWN

    reissued = await post(client, priya, base + "/invites/P4", do="reissue")
    assert reissued.headers["Location"] == f"{base}/invites?did=reissue&messages=1"
    before = len(fake_notify.received)
    assert deliver_due_outreach(database, notify_settings) == 1
    (message,) = sent_since(fake_notify, before, database, family)
    new = message["personalisation"]["code"]
    assert new != old and message["email_address"] == "amy.lee@example.nhs.uk"
    with database.session() as session, session.begin():
        assert redeem(session, hash_code(new), "web:amy").outcome is Redemption.JOINED
    assert statuses_on(await page(client, priya, base + "/invites"))["P4"] == "opened"
    with database.session() as session, session.begin():
        session.get(Participant, family["P4"]).response_status = "submitted"
    shown = await page(client, priya, base + "/invites")
    amy = row_of(shown, "P4")
    assert "Answers sent" in amy and "Send again" not in amy and "New code" not in amy
    assert (await post(client, priya, base + "/invites/P9", do="revoke")).status == 404


async def test_a_letter_holds_the_link_the_code_and_a_qr_code_and_its_printing_is_recorded(
    desk, database, family, notify_settings
):
    client, priya, base = desk
    with database.session() as session:
        code = live_invite(session.get(Participant, family["P2"])).code
    letter = await page(client, priya, base + "/letter/P2")
    link = f"{notify_settings.public_url}/chat#invite={code}"
    assert f"<code>{code}</code>" in letter
    assert f"{notify_settings.public_url}/chat" in letter
    assert "Dear Ava Smith" in letter and "what you think and how you feel" in letter
    qr = re.search(r'<div class="companion-qr" data-qr>(.*?)</div>', letter, re.S).group(1)
    assert qr.startswith("<svg") and "QR code of the chat link" in qr
    assert qr == segno.make(link, error="m").svg_inline(
        scale=1, unit="mm", border=4, title="QR code of the chat link"
    )  # the link itself, drawn here
    assert "src=" not in letter.split("<body")[1].split("<script")[0]  # nothing fetched
    assert "companion-no-print" in letter  # only the letter prints
    assert REASONS["invite"] in await page(client, priya, base + "/letter/P4")  # an adult's

    printed = await post(client, priya, base + "/letter/P2/printed")
    assert printed.headers["Location"] == f"{base}/invites?did=printed"
    shown = await page(client, priya, printed.headers["Location"])
    assert statuses_on(shown)["P2"] == "printed"
    with database.session() as session:
        (row,) = outreach(database, family)
        assert (row.channel, row.status, row.participant_id) == ("letter", "sent", family["P2"])
        assert session.execute(
            select(AuditEvent).where(AuditEvent.action == "letter_printed")
        ).scalars().all()  # fmt: skip


async def test_only_a_coordinator_opens_the_invites_and_a_stale_form_changes_nothing(
    desk, database, family
):
    client, priya, base = desk
    rosa = add(database, "Rosa Quinn", "rosa.quinn@example.gov.uk", "chair")
    rosa_cookie = await sign_in(client, database, rosa)
    assert (await client.get(base + "/invites", headers=rosa_cookie)).status == 403
    assert (await client.get(base + "/letter/P2", headers=rosa_cookie)).status == 403
    assert (await client.get(base + "/invites")).status == 401
    stale = await client.post(
        base + "/invites/send", data={"csrf": "old"}, headers=priya, allow_redirects=False
    )
    assert stale.status == 400 and outreach(database, family) == []


async def test_without_notify_the_page_says_invites_wait(aiohttp_client, database, family):
    client = await aiohttp_client(
        create_app(database.settings), cookie_jar=aiohttp.DummyCookieJar()
    )
    priya = await sign_in(
        client, database, add(database, "Priya Shah", "priya.shah@example.gov.uk", "coordinator")
    )
    shown = await page(client, priya, f"/conferences/{family['id']}/invites")
    assert "Invites cannot be sent by email or text until GOV.UK Notify is set up" in shown
    sent = await post(client, priya, f"/conferences/{family['id']}/invites/send")
    shown = await page(client, priya, sent.headers["Location"])
    assert "5 emails and texts will wait until GOV.UK Notify is set up." in shown
    assert "1 letter is ready to print." in shown


def test_what_is_no_longer_needed_when_its_turn_comes_is_withdrawn_not_sent(
    database, family, fake_notify, notify_settings, monkeypatch
):
    meets_on(database, family, "2030-12-18T10:00")
    clock_at(monkeypatch, "2030-12-16T10:00")  # in the day: the reminder's turn comes
    queue(database, family)
    with database.session() as session, session.begin():
        jo = session.get(Participant, family["P3"])
        session.add(
            Outreach(
                participant=jo,
                kind="reminder",
                reason="not_finished",
                channel="email",
                recipient=jo.email,
                created_by="service",
            )  # fmt: skip
        )
        jo.response_status = "submitted"  # she sent her answers while it waited
        session.get(Participant, family["P4"]).removed_at = utcnow()
    before = len(fake_notify.received)
    assert deliver_due_outreach(database, notify_settings) == 2
    sent = [
        m.get("email_address") or m["phone_number"]
        for m in sent_since(fake_notify, before, database, family)
    ]
    assert sorted(sent) == ["07700900111", "kelly@example.com"]
    withdrawn = [row for row in outreach(database, family) if row.status == "revoked"]
    assert sorted((row.participant_id, row.kind, row.last_error) for row in withdrawn) == [
        (family["P3"], "invite", "the answers were sent"),
        (family["P3"], "invite", "the answers were sent"),
        (family["P3"], "reminder", "the answers were sent"),
        (family["P4"], "invite", "taken off the conference"),
    ]


def test_a_missing_template_holds_its_messages_and_says_which_setting(
    database, family, fake_notify, notify_settings
):
    queue(database, family, "P3")
    no_texts = dataclasses.replace(notify_settings, notify_invite_sms_template_id=None)
    assert deliver_due_outreach(database, no_texts) == 1  # the email
    text = [row for row in outreach(database, family) if row.channel == "sms"][0]
    assert (text.status, text.attempts) == ("pending", 0)
    assert "NOTIFY_INVITE_SMS_TEMPLATE_ID is not set" in contact_status(text).advice
    with database.session() as session, session.begin():
        session.get(Outreach, text.id).next_attempt_at = utcnow()
    assert deliver_due_outreach(database, notify_settings) == 1  # once it is set
