"""Reminders: who has not finished, a set number of working days before the conference;
social workers and professionals, one working day before their report must reach the
family; never between 8pm and 8am UK time, never twice, never after the answers are sent."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.codes import hash_code
from bot.model.database import Database
from bot.model.invites import Redemption, redeem
from bot.model.tables import Answer, AuditEvent, Conference, Outreach, Participant, utcnow
from bot.notify import reminders
from bot.notify.invites import queue_invites
from bot.notify.outreach_words import REASONS
from bot.notify.reminders import UK, due_reminders, queue_reminders, send_due_reminders
from bot.settings import load_settings
from bot.web.app import create_app
from tests import fake_notify as fake
from tests.conftest import BIN, conference_with, environment_for
from tests.test_invites_outreach import codes_of

CONFERENCE = """
conference: {type: %(type)s, date: '%(date)s', local_authority: Example Borough Council}
children:
  - {key: A, name: Ava, age: 9}
danger_statements:
  - {key: D1, danger: Ava could be hurt when her parents argue., safety_goal: Ava is safe.,
     children: [A]}
participants:
  - {key: P1, name: Kelly Smith, role: parent, children: [A], email: kelly@example.com,
     phone: '07700900002'}
  - {key: P2, name: Ava Smith, role: young_person, child: A}
  - {key: P3, name: Jo Brown, role: social_worker, agency: Children's Social Care,
     email: jo.brown@example.gov.uk}
  - {key: P4, name: Dr Amy Lee, role: professional, agency: GP practice, phone: '07700900003'}
  - {key: P5, name: Sam Patel, role: chair, email: sam.patel@example.gov.uk}
"""


def conference(database, when: str, type_: str = "initial", invited: bool = True):
    """A conference at `when` (UK time), its invites sent (emails, texts, Ava's letter
    printed) unless not `invited`; returns (its id, {participant key: id})."""
    conference_id, ids = conference_with(database, CONFERENCE % {"type": type_, "date": when})
    if invited:
        with database.session() as session, session.begin():
            queue_invites(session, session.get(Conference, conference_id), "staff:1")
            for row in session.execute(select(Outreach).where(Outreach.kind == "invite")).scalars():
                row.status = "sent"
    return conference_id, ids


def at(when: str) -> datetime:
    """A moment given in UK time."""
    return datetime.fromisoformat(when).replace(tzinfo=UK)


def listed(database, settings, now, reason=None):
    with database.session() as session:
        return [
            r for r in due_reminders(session, settings, now) if reason is None or r.reason == reason
        ]


def who(found) -> list[tuple[str, str | None]]:
    return sorted((r.name, r.channel) for r in found)


def outbox(database) -> list[Outreach]:
    with database.session() as session:
        rows = (
            session.execute(
                select(Outreach).where(Outreach.kind == "reminder").order_by(Outreach.id)
            )
            .scalars()
            .all()
        )
        for row in rows:
            _ = (row.recipient, row.participant.key)  # read while the session is open
        return rows


def change(database, participant_id: int, **values) -> None:
    with database.session() as session, session.begin():
        participant = session.get(Participant, participant_id)
        for name, value in values.items():
            setattr(participant, name, value)


NOT_FINISHED = [
    ("Ava Smith", None),
    ("Dr Amy Lee", "sms"),
    ("Jo Brown", "email"),
    ("Kelly Smith", "email"),
    ("Kelly Smith", "sms"),
]


def test_the_window_counts_working_days_past_a_weekend_and_two_bank_holidays(database, settings):
    # Tuesday 31 December 2030: three working days before are the 30th, the 27th and the
    # 24th (Christmas and Boxing Day, and the weekend, are not working days).
    conference(database, "2030-12-31T10:00")
    for before in ("2030-12-21T12:00", "2030-12-23T19:00"):
        found = listed(database, settings, at(before), "not_finished")
        assert who(found) == NOT_FINISHED
        assert {(r.goes_at, r.due, r.held) for r in found} == {
            (at("2030-12-24T08:00"), False, False)
        }
        assert reminders.when(found[0]) == "goes Tuesday 24 December 2030 at 8am"
    found = listed(database, settings, at("2030-12-24T10:00"), "not_finished")
    assert who(found) == NOT_FINISHED and all(r.due for r in found)


def test_the_number_of_working_days_is_a_setting(database, settings):
    from dataclasses import replace

    conference(database, "2030-12-31T10:00")
    five = replace(settings, reminder_working_days=5)  # the 30th, 27th, 24th, 23rd, 20th
    found = listed(database, five, at("2030-12-19T12:00"), "not_finished")
    assert {r.goes_at for r in found} == {at("2030-12-20T08:00")}


def test_quiet_hours_hold_a_reminder_until_eight_in_the_morning(database, settings):
    # Wednesday 18 December 2030: reminders may go from Friday the 13th.
    conference(database, "2030-12-18T10:00")
    late = listed(database, settings, at("2030-12-16T21:00"), "not_finished")
    assert who(late) == NOT_FINISHED
    assert {(r.goes_at, r.due, r.held) for r in late} == {(at("2030-12-17T08:00"), False, True)}
    assert reminders.when(late[0]) == (
        "held until Tuesday 17 December 2030 at 8am (no messages between 8pm and 8am)"
    )
    assert send_due_reminders(database, settings, at("2030-12-16T21:00")) == []
    early = listed(database, settings, at("2030-12-17T07:59"), "not_finished")
    assert {(r.goes_at, r.held) for r in early} == {(at("2030-12-17T08:00"), True)}
    assert send_due_reminders(database, settings, at("2030-12-17T07:59")) == []
    assert outbox(database) == []
    eight = listed(database, settings, at("2030-12-17T08:00"), "not_finished")
    assert all(r.due and not r.held for r in eight)
    assert reminders.when(eight[0]) == "goes now"
    queued = send_due_reminders(database, settings, at("2030-12-17T08:00"))
    assert who(r for r in queued if r.reason == "not_finished") == NOT_FINISHED[1:]


def test_quiet_hours_are_uk_time_in_summer_too(database, settings):
    # Friday 14 June 2030 (British Summer Time): reminders may go from Tuesday the 11th.
    conference(database, "2030-06-14T10:00")
    utc = timezone.utc
    found = listed(database, settings, datetime(2030, 6, 12, 6, 59, tzinfo=utc), "not_finished")
    assert {(r.goes_at, r.held) for r in found} == {(at("2030-06-12T08:00"), True)}
    found = listed(database, settings, datetime(2030, 6, 12, 7, 0, tzinfo=utc), "not_finished")
    assert all(r.due and not r.held for r in found)  # 7am UTC is 8am in London


def test_quiet_until_says_when_a_retried_reminder_may_go():
    assert reminders.quiet_until(at("2030-12-16T21:00")) == datetime(2030, 12, 17, 8, 0)
    assert reminders.quiet_until(at("2030-12-17T07:59")) == datetime(2030, 12, 17, 8, 0)
    assert reminders.quiet_until(at("2030-12-17T08:00")) is None
    assert reminders.quiet_until(at("2030-12-17T19:59")) is None
    assert reminders.quiet_until(at("2030-06-12T20:00")) == datetime(2030, 6, 13, 7, 0)  # UTC


def test_each_reminder_goes_into_the_outbox_once_with_its_invite_and_is_audited(database, settings):
    conference_id, ids = conference(database, "2030-12-18T10:00")
    now = at("2030-12-13T09:00")  # initial: reports due with the family by the 16th
    queued = send_due_reminders(database, settings, now)
    rows = outbox(database)
    assert len(rows) == len(queued) == 6  # Ava has no email or mobile: none for her
    assert sorted((r.participant.key, r.reason, r.channel, r.recipient) for r in rows) == [
        ("P1", "not_finished", "email", "kelly@example.com"),
        ("P1", "not_finished", "sms", "07700900002"),
        ("P3", "not_finished", "email", "jo.brown@example.gov.uk"),
        ("P3", "report_due", "email", "jo.brown@example.gov.uk"),
        ("P4", "not_finished", "sms", "07700900003"),
        ("P4", "report_due", "sms", "07700900003"),
    ]
    assert {(r.kind, r.status, r.created_by) for r in rows} == {("reminder", "pending", "service")}
    with database.session() as session:
        for row in rows:  # the invite the participant holds now, whose link it carries
            participant = session.get(Participant, row.participant_id)
            assert row.invite_id == participant.invites[-1].id
        events = session.execute(
            select(AuditEvent).where(AuditEvent.action == "reminder_queued")
        ).scalars()
        assert sorted((e.actor, e.record_id, e.detail["reason"]) for e in events) == sorted(
            ("service", str(r.id), r.reason) for r in rows
        )
    # Listed no more, and a second round (a restart, an hour later) queues nothing.
    assert [r.name for r in listed(database, settings, now) if r.channel] == []
    assert send_due_reminders(database, settings, now + timedelta(hours=1)) == []
    assert len(outbox(database)) == 6
    assert [(r.name, r.channel) for r in listed(database, settings, now)] == [("Ava Smith", None)]


def test_another_web_app_queueing_the_same_reminder_first_is_no_error(database, settings):
    conference(database, "2030-12-18T10:00")
    now = at("2030-12-13T09:00")
    seen_before = listed(database, settings, now)  # as a second replica saw it
    assert len(send_due_reminders(database, settings, now)) == 6
    other = Database(settings)
    try:  # the database's unique index refuses each: nothing twice, nothing audited twice
        assert queue_reminders(other, [r for r in seen_before if r.channel]) == []
    finally:
        other.dispose()
    assert len(outbox(database)) == 6
    with database.session() as session:
        audited = session.execute(
            select(func.count()).where(AuditEvent.action == "reminder_queued")
        ).scalar_one()
    assert audited == 6


def test_two_web_apps_at_once_queue_each_reminder_once(database, settings):
    conference(database, "2030-12-18T10:00")
    conference(database, "2030-12-17T14:00", "initial")
    now = at("2030-12-13T09:00")
    results, start = [], threading.Barrier(3)

    def replica():
        own = Database(settings)
        try:
            start.wait()
            results.append(send_due_reminders(own, settings, now))
        finally:
            own.dispose()

    threads = [threading.Thread(target=replica) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    rows = outbox(database)
    keys = [(r.participant_id, r.reason, r.channel) for r in rows]
    assert len(keys) == len(set(keys)) == sum(len(queued) for queued in results) == 12


def test_no_reminder_after_the_answers_are_sent(database, settings):
    _, ids = conference(database, "2030-12-18T10:00")
    now = at("2030-12-13T09:00")
    change(database, ids["P1"], response_status="submitted", submitted_at=utcnow())
    assert "Kelly Smith" not in {r.name for r in listed(database, settings, now)}
    # Sent between the listing and the outbox: still none.
    seen = listed(database, settings, now)
    change(database, ids["P3"], response_status="submitted", submitted_at=utcnow())
    queued = queue_reminders(database, [r for r in seen if r.channel])
    assert {r.name for r in queued} == {"Dr Amy Lee"}


def test_a_participant_taken_off_the_conference_is_not_reminded(database, settings):
    _, ids = conference(database, "2030-12-18T10:00")
    change(database, ids["P4"], removed_at=utcnow())
    now = at("2030-12-13T09:00")
    assert "Dr Amy Lee" not in {r.name for r in listed(database, settings, now)}
    send_due_reminders(database, settings, now)
    assert {r.participant.key for r in outbox(database)} == {"P1", "P3"}


def test_nobody_hears_from_us_first_by_a_reminder(database, settings):
    _, ids = conference(database, "2030-12-18T10:00", invited=False)
    now = at("2030-12-13T09:00")
    found = listed(database, settings, now, "not_finished")
    assert who(found) == NOT_FINISHED and not any(r.goes_now for r in found)
    assert reminders.when(found[0]) == "not invited yet: goes as soon as their invite is sent"
    late = listed(database, settings, at("2030-12-13T21:00"), "not_finished")
    assert reminders.when(late[0]) == (
        "not invited yet: goes once their invite is sent, from Saturday 14 December 2030 at 8am"
    )
    assert send_due_reminders(database, settings, now) == []
    assert outbox(database) == []
    # A code handed over by hand and opened in the chat is an invite had.
    with database.session() as session, session.begin():
        session.get(Participant, ids["P1"]).invites[-1].bound_sender = "web:kelly"
    queued = send_due_reminders(database, settings, now)
    assert {r.name for r in queued} == {"Kelly Smith"}


def test_someone_who_prefers_letters_is_not_emailed_or_texted(database, settings):
    _, ids = conference(database, "2030-12-18T10:00")
    change(database, ids["P1"], channel="letter")
    found = listed(database, settings, at("2030-12-13T09:00"), "not_finished")
    kelly = [r for r in found if r.name == "Kelly Smith"]
    assert [r.channel for r in kelly] == [None]
    assert reminders.how(kelly[0]).endswith("reach them another way")
    queued = send_due_reminders(database, settings, at("2030-12-13T09:00"))
    assert "Kelly Smith" not in {r.name for r in queued}


def test_the_chair_is_never_reminded(database, settings):
    conference(database, "2030-12-18T10:00")
    names = {r.name for r in listed(database, settings, at("2030-12-13T09:00"))}
    assert names == {"Kelly Smith", "Ava Smith", "Jo Brown", "Dr Amy Lee"}


@pytest.mark.parametrize(
    "type_, due_day, day_before",
    [
        # An initial conference on Wednesday 18 December 2030: reports reach the family
        # by Monday the 16th (2 working days), so the reminder goes on Friday the 13th.
        ("initial", "2030-12-13", "2030-12-12"),
        # A review: by Wednesday the 11th (5 working days); the reminder on Tuesday the 10th.
        ("review", "2030-12-10", "2030-12-09"),
    ],
)
def test_report_reminders_go_to_professionals_one_working_day_before_the_deadline(
    database, settings, type_, due_day, day_before
):
    conference(database, "2030-12-18T10:00", type_)
    coming = listed(database, settings, at(f"{day_before}T12:00"), "report_due")
    assert who(coming) == [("Dr Amy Lee", "sms"), ("Jo Brown", "email")]
    assert {(r.goes_at, r.due) for r in coming} == {(at(f"{due_day}T08:00"), False)}
    deadline = {"initial": "Monday 16 December 2030", "review": "Wednesday 11 December 2030"}
    assert reminders.why(coming[0]) == f"their report must reach the family by {deadline[type_]}"
    due = listed(database, settings, at(f"{due_day}T08:00"), "report_due")
    assert who(due) == who(coming) and all(r.due for r in due)


def test_no_report_reminder_once_the_report_is_shared(database, settings):
    _, ids = conference(database, "2030-12-18T10:00", "review")
    with database.session() as session, session.begin():
        session.add(
            Answer(
                participant_id=ids["P4"],
                question_key="report_shared",
                text="Yes",
                choice="yes",
            )
        )
    found = listed(database, settings, at("2030-12-10T09:00"), "report_due")
    assert who(found) == [("Jo Brown", "email")]


def test_no_report_reminder_once_the_deadline_has_passed(database, settings):
    conference(database, "2030-12-18T10:00", "review")  # reports due by the 11th
    assert len(listed(database, settings, at("2030-12-11T19:59"), "report_due")) == 2
    assert listed(database, settings, at("2030-12-11T20:00"), "report_due") == []
    assert listed(database, settings, at("2030-12-12T09:00"), "report_due") == []


def test_no_reminder_for_a_conference_that_has_passed(database, settings):
    conference(database, "2030-12-18T10:00")
    assert listed(database, settings, at("2030-12-18T10:00")) == []
    assert send_due_reminders(database, settings, at("2030-12-19T09:00")) == []
    # Asked on the evening before, the reminder would wait until 8am: before 10am, so listed.
    found = listed(database, settings, at("2030-12-17T22:00"), "not_finished")
    assert {r.goes_at for r in found} == {at("2030-12-18T08:00")}


def test_a_reminder_that_could_only_go_once_the_conference_began_is_not_listed(database, settings):
    conference(database, "2030-12-18T07:30")  # an early meeting
    assert listed(database, settings, at("2030-12-17T21:00")) == []


# --- the command line and the running service --------------------------------------


@pytest.fixture
def env(tmp_path, database_url, database):
    return {**os.environ, **environment_for(tmp_path, DATABASE_URL=database_url)}


def companion(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "companion"), *args], env=env, capture_output=True, text=True, timeout=60
    )


def two_days_away() -> str:
    return (datetime.now(UK) + timedelta(days=2)).strftime("%Y-%m-%dT10:00")


def test_the_dry_run_names_who_has_not_finished_for_a_conference_two_days_away(env):
    database = Database(load_settings(env))
    try:
        _, ids = conference(database, two_days_away(), "review")
        change(database, ids["P2"], response_status="submitted", submitted_at=utcnow())
        result = companion(env, "reminders", "--dry-run")
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[-1] == "A dry run: nothing was sent."
        not_finished = [line for line in lines if "has not sent their answers yet" in line]
        assert [line.split(" (")[0] for line in not_finished] == [
            "Kelly Smith",  # parents first, on each of her contacts
            "Kelly Smith",
            "Jo Brown",
            "Dr Amy Lee",
        ]
        assert "Ava Smith" not in result.stdout  # she sent her answers
        assert "Sam Patel" not in result.stdout  # the chair is not asked
        kelly = not_finished[0]
        assert kelly.startswith("Kelly Smith (Parent or carer), review conference on ")
        assert "; by email; " in kelly and "; by text message; " in not_finished[1]
        # Two days away is inside the three working days: it goes now, or at 8am.
        assert kelly.endswith("goes now") or "(no messages between 8pm and 8am)" in kelly
        assert outbox(database) == []
    finally:
        database.dispose()


def test_the_dry_run_tells_two_conferences_on_the_same_day_apart(env):
    database = Database(load_settings(env))
    try:
        first, _ = conference(database, two_days_away(), "review")
        second, _ = conference(database, two_days_away(), "review")
        result = companion(env, "reminders", "--dry-run")
        assert result.returncode == 0, result.stderr
        kelly = [line for line in result.stdout.splitlines() if line.startswith("Kelly Smith")]
        assert len(kelly) == 4  # her email and her text, for each conference
        for conference_id in (first, second):
            named = f", Example Borough Council (conference {conference_id[:8]}); "
            assert len([line for line in kelly if named in line]) == 2, conference_id
        assert "Ava" not in "".join(kelly)  # the children are not named
    finally:
        database.dispose()


def test_without_dry_run_the_command_queues_what_is_due_and_says_so(env):
    database = Database(load_settings(env))
    try:
        conference(database, two_days_away(), "review")  # reports already late
        held = reminders.clock().astimezone(UK).hour not in range(8, 20)
        result = companion(env, "reminders")
        assert result.returncode == 0, result.stderr
        queued = [line for line in result.stdout.splitlines() if line.startswith("Queued: ")]
        if held:  # run at night: quiet hours hold every one
            assert queued == [] and outbox(database) == []
            assert "0 reminder(s) queued" in result.stdout
        else:
            assert len(queued) == len(outbox(database)) == 4
            assert "4 reminder(s) queued; the running service sends them." in result.stdout
        again = companion(env, "reminders")
        assert "Queued: " not in again.stdout
    finally:
        database.dispose()


async def test_the_running_web_app_queues_due_reminders_and_sends_them_with_a_working_code(
    aiohttp_client, database, settings, monkeypatch, fake_notify
):
    conference_id, _ = conference(database, "2030-12-18T10:00")
    monkeypatch.setattr(reminders, "clock", lambda: at("2030-12-13T09:00"))
    settings = dataclasses.replace(
        settings,
        notify_api_key=fake.API_KEY,
        notify_base_url=fake_notify.url,
        notify_reminder_email_template_id=fake.REMINDER_EMAIL_TEMPLATE,
        notify_reminder_sms_template_id=fake.REMINDER_SMS_TEMPLATE,
        notify_interval=0.5,
    )
    before = len(fake_notify.received)
    client = await aiohttp_client(create_app(settings))
    assert (await client.get("/healthz")).status in (200, 503)  # the app is up
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # until each is recorded as sent, not just received
        rows = outbox(database)
        if len(rows) == 6 and {row.status for row in rows} <= {"sent", "delivered"}:
            break
        await asyncio.sleep(0.2)
    assert len(rows) == 6 and {row.status for row in rows} <= {"sent", "delivered"}
    # This conference's, not those the session's running service sends for its own.
    messages = fake_notify.about(*codes_of(database, conference_id), since=before)
    sent = sorted(
        (
            m["template_id"],
            m.get("email_address") or m["phone_number"],
            m["personalisation"]["reason"],
        )
        for m in messages
    )
    email, sms = fake.REMINDER_EMAIL_TEMPLATE, fake.REMINDER_SMS_TEMPLATE
    assert sent == sorted(
        [
            (email, "kelly@example.com", REASONS["not_finished"]),
            (sms, "07700900002", REASONS["not_finished"]),
            (email, "jo.brown@example.gov.uk", REASONS["not_finished"]),
            (email, "jo.brown@example.gov.uk", REASONS["report_due"]),
            (sms, "07700900003", REASONS["not_finished"]),
            (sms, "07700900003", REASONS["report_due"]),
        ]
    )
    kelly = next(m for m in messages if m.get("email_address") == "kelly@example.com")
    code = kelly["personalisation"]["code"]
    assert kelly["personalisation"]["web_link"].endswith(f"/chat#invite={code}")
    with database.session() as session, session.begin():  # her code starts her chat
        joined = redeem(session, hash_code(code), "web:kelly")
        assert joined.outcome is Redemption.JOINED and joined.participant.key == "P1"


def test_the_stack_queues_reminders_outside_quiet_hours_only(stack):
    database = Database(stack.settings)
    try:
        conference_id, _ = conference(database, two_days_away(), "review")
        time.sleep(3 * stack.settings.notify_interval + 1)
        with database.session() as session:
            rows = session.execute(
                select(Outreach.reason, Outreach.channel)
                .join(Participant)
                .where(Participant.conference_id == conference_id, Outreach.kind == "reminder")
            ).all()
        if reminders.clock().astimezone(UK).hour in range(8, 20):
            assert len(rows) == 4  # not finished; reports already late
        else:  # at night every one waits until 8am
            assert rows == []
    finally:
        database.dispose()
