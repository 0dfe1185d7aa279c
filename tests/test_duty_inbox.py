"""Alerts from people not joined: every one recorded, however many arrive, and the duty
inbox emailed at most three times an hour, counted in the database (so every process
keeps to it), the later ones told of in one email when the hour allows."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import requests
from sqlalchemy import func, select

from bot.model.database import Database
from bot.model.tables import Notification, SafeguardingAlert, utcnow
from bot.safeguarding.alerts import raise_unjoined_alert
from bot.safeguarding.detector import assess
from bot.safeguarding.duty import DUTY_EMAILS_AN_HOUR, unjoined_told

WORDS = "i want to kill myself"
DUTY = "duty@example.gov.uk"


def _alert(database) -> None:
    with database.session() as session, session.begin():
        raise_unjoined_alert(session, assess(WORDS), WORDS, DUTY)


def _outbox(database) -> tuple[int, list, list[str]]:
    """(alerts, emails due by now, what each email waiting for later says)."""
    now = utcnow()
    with database.session() as session:
        alerts = len(session.execute(select(SafeguardingAlert.id)).all())
        emails = session.execute(select(Notification)).scalars().all()
        assert all(e.recipient_role == "duty" and e.recipient == DUTY for e in emails)
        due = [e for e in emails if e.created_at <= now]
        later = [unjoined_told(session, e) for e in emails if e.created_at > now]
        assert all(e.next_attempt_at >= now for e in emails if e.created_at > now)
    return alerts, due, later


def _an_hour_passes(database, minutes: int = 61) -> None:
    with database.session() as session, session.begin():
        for table in (SafeguardingAlert, Notification):
            for row in session.execute(select(table)).scalars():
                row.created_at -= timedelta(minutes=minutes)
                if table is Notification:
                    row.next_attempt_at -= timedelta(minutes=minutes)


def test_ten_alerts_make_three_emails_and_one_for_the_rest_when_the_hour_allows(database):
    for _ in range(10):
        _alert(database)
    alerts, due, later = _outbox(database)
    assert alerts == 10 and len(due) == DUTY_EMAILS_AN_HOUR
    assert [unjoined_told_of(database, e) for e in due] == [0, 0, 0]
    # the fourth alert's email waits for the hour; it tells of the six after it too
    [waiting] = later
    assert "and 6 more alerts from people not joined since" in waiting
    _an_hour_passes(database)
    _alert(database)  # the hour has passed: an email of its own again
    alerts, due, later = _outbox(database)
    assert alerts == 11 and len(due) == 5 and later == []


def unjoined_told_of(database, email) -> int:
    with database.session() as session:
        said = unjoined_told(session, session.get(Notification, email.id))
    return 0 if said == "someone who has not joined a conference chat" else said


def test_alerts_at_the_same_moment_from_many_places_still_make_three_emails(database):
    threads = [threading.Thread(target=_alert, args=(database,)) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    alerts, due, later = _outbox(database)
    assert alerts == 12 and len(due) == DUTY_EMAILS_AN_HOUR
    [waiting] = later
    assert "and 8 more alerts" in waiting


def _unjoined(stack) -> tuple[int, list]:
    """(alerts from people not joined, the duty inbox's emails as (due, what they say))."""
    database = Database(stack.settings)
    with database.session() as session:
        alerts = session.scalar(
            select(func.count())
            .select_from(SafeguardingAlert)
            .where(SafeguardingAlert.participant_id.is_(None))
        )
        emails = [
            (e.created_at, unjoined_told(session, e))
            for e in session.execute(
                select(Notification).where(Notification.recipient_role == "duty")
            ).scalars()
        ]
    database.dispose()
    return alerts, emails


def test_ten_disclosures_posted_to_the_chat_unsigned_make_at_most_three_emails(stack, fake_notify):
    alerts_before, _ = _unjoined(stack)
    sent_before = len(fake_notify.received)
    for _ in range(10):  # anyone may: no invite, no cookie
        page = requests.post(
            f"{stack.settings.web_url}/chat/start", data={"code": WORDS}, timeout=60
        )
        assert page.status_code == 200 and "999" in page.text  # help, every time
    alerts, emails = _unjoined(stack)
    assert alerts == alerts_before + 10
    now = utcnow()
    assert (
        len([due for due, _ in emails if now - timedelta(hours=1) < due <= now])
        <= DUTY_EMAILS_AN_HOUR
    )
    [(_, waiting)] = [(due, said) for due, said in emails if due > now]
    assert "more alerts from people not joined since" in waiting
    # An hour later (the database's clock turned back) the waiting email goes, telling of them.
    database = Database(stack.settings)
    _an_hour_passes(database)
    database.dispose()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        duty = [r for r in fake_notify.received[sent_before:] if r.get("email_address") == DUTY]
        if any("more alerts" in r["personalisation"]["raised_by_role"] for r in duty):
            break
        time.sleep(0.5)
    assert any("more alerts" in r["personalisation"]["raised_by_role"] for r in duty)
    assert len(duty) <= DUTY_EMAILS_AN_HOUR + 1 and "kill" not in json.dumps(duty)
