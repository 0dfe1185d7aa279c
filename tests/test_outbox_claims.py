"""A message the deliverer claimed but never finished (the web app stopped mid-round, or
the round failed part-way through what it had claimed) is not lost: once its claim has
lapsed it is sent, once; while the claim lasts nobody else sends it."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.model.tables import Conference, Outreach, Participant
from bot.notify import reminders
from bot.notify.invites import TO_NOTIFY, deliver_due_outreach, queue_invites
from bot.notify.outbox import CLAIM_LEASE, claim_due
from tests import fake_notify as fake
from tests.conftest import conference_with
from tests.test_invites_outreach import FAMILY


def statuses(database, conference_id) -> list[str]:
    with database.session() as session:
        return sorted(
            session.execute(
                select(Outreach.status)
                .join(Participant)
                .where(Participant.conference_id == conference_id, Outreach.channel != "letter")
            ).scalars()
        )


def test_a_message_claimed_by_a_round_that_stopped_is_sent_once_its_claim_lapses(
    database, fake_notify, monkeypatch
):
    env = fake_notify.environment()
    settings = dataclasses.replace(
        database.settings,
        notify_api_key=env["NOTIFY_API_KEY"],
        notify_base_url=env["NOTIFY_BASE_URL"],
        notify_invite_email_template_id=fake.INVITE_EMAIL_TEMPLATE,
        notify_invite_sms_template_id=fake.INVITE_SMS_TEMPLATE,
    )
    conference_id, _ = conference_with(database, FAMILY)
    with database.session() as session, session.begin():
        queue_invites(session, session.get(Conference, conference_id), "staff:1")
        codes = [p.invites[-1].code for p in session.get(Conference, conference_id).participants]
    now = datetime.now(timezone.utc)
    monkeypatch.setattr(reminders, "clock", lambda: now)

    stranded = claim_due(database, Outreach, TO_NOTIFY)  # a round that stopped at once
    assert stranded and set(statuses(database, conference_id)) == {"sending"}
    before = len(fake_notify.received)
    assert deliver_due_outreach(database, settings) == 0  # still claimed: not sent twice
    assert fake_notify.about(*codes, since=before) == []

    later = now + CLAIM_LEASE + timedelta(seconds=1)
    monkeypatch.setattr(reminders, "clock", lambda: later)
    assert deliver_due_outreach(database, settings) == len(stranded)
    assert set(statuses(database, conference_id)) == {"sent"}
    assert len(fake_notify.about(*codes, since=before)) == len(stranded) == 5
    assert deliver_due_outreach(database, settings) == 0  # and never again
