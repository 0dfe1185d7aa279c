"""The outbox: delivered through (a local fake of) GOV.UK Notify, retried until sent, and a
clear log line when Notify is not configured."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.model.tables import Notification, Participant
from bot.notify.outbox import deliver_due
from bot.safeguarding.alerts import raise_alert
from bot.safeguarding.detector import assess
from bot.settings import load_settings
from tests.conftest import EXAMPLES, conference_with, environment_for


@pytest.fixture
def alert(database) -> str:
    """Ava's alert in the demo conference; returns the conference's id."""
    conference_id, ids = conference_with(database, (EXAMPLES / "demo-conference.yml").read_text())
    with database.session() as session, session.begin():
        ava = session.get(Participant, ids["P2"])
        raise_alert(session, ava, assess("my dad hits me"), "my dad hits me")
    return conference_id


def outbox(database):
    with database.session() as session:
        return session.execute(select(Notification).order_by(Notification.id)).scalars().all()


def test_without_notify_the_alert_waits_and_a_clear_line_is_logged(
    database, alert, caplog, settings
):
    with caplog.at_level(logging.WARNING, logger="companion.notify"):
        assert deliver_due(database, settings) == 0
        deliver_due(database, settings)  # logged once per message, not every round
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3
    assert all("GOV.UK Notify is not configured (NOTIFY_API_KEY)" in line for line in lines)
    assert {n.status for n in outbox(database)} == {"pending"}


def test_a_refused_message_is_retried_until_delivered(database, alert, fake_notify, tmp_path):
    settings = load_settings({**environment_for(tmp_path), **fake_notify.environment(),
                              "DATABASE_URL": str(database.engine.url)})  # fmt: skip
    fake_notify.failures_to_give = 1
    before = len(fake_notify.received)
    assert deliver_due(database, settings) == 2  # the first of three was refused
    refused = [n for n in outbox(database) if n.status == "pending"]
    assert len(refused) == 1 and refused[0].attempts == 1 and "500" in refused[0].last_error
    with database.session() as session, session.begin():
        session.get(Notification, refused[0].id).next_attempt_at = refused[0].created_at
    assert deliver_due(database, settings) == 1
    assert {n.status for n in outbox(database)} == {"sent"}
    assert len(fake_notify.about(alert, since=before)) == 3  # its link names the conference
    assert all(n.provider_id for n in outbox(database))


def test_several_alerts_within_minutes_send_one_email_and_one_text_each(database, alert):
    from bot.model.tables import SafeguardingAlert

    with database.session() as session, session.begin():
        ava = session.execute(select(Participant).where(Participant.key == "P2")).scalar_one()
        for words in ("he hit me again", "i am scared he will hit me tonight"):
            raise_alert(session, ava, assess("my dad hits me"), words)
    with database.session() as session:
        texts = session.execute(select(SafeguardingAlert.text)).scalars().all()
    assert texts == ["my dad hits me", "he hit me again", "i am scared he will hit me tonight"]
    assert len(outbox(database)) == 3  # the first alert's two emails and one text; no more


def test_after_you_misunderstood_the_next_alert_is_told_again(database, alert):
    from bot.safeguarding.alerts import record_dispute

    with database.session() as session, session.begin():
        ava = session.execute(select(Participant).where(Participant.key == "P2")).scalar_one()
        record_dispute(session, ava, "you misunderstood")
        raise_alert(session, ava, assess("my dad hits me"), "he is hitting me now")
    assert len(outbox(database)) == 6  # the disputed alert does not hold this one back
