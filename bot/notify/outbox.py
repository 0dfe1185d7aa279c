"""Delivering the outbox through GOV.UK Notify, retrying until each message is sent.

The message says only that there is an alert and where to read it: a child's words never
travel by email or text. With no NOTIFY_API_KEY, nothing is sent and each waiting
message is logged once, clearly; the alert is still on the chair's page and in the summary.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient
from sqlalchemy import select, update

from bot import wording
from bot.model.database import Database
from bot.model.tables import Notification, utcnow
from bot.safeguarding.duty import unjoined_told
from bot.settings import Settings

log = logging.getLogger("companion.notify")
MAX_BACKOFF = timedelta(minutes=30)
# A claimed message not finished by then is claimed again: the web app stopped while
# sending it, or a round failed part-way through what it had claimed.
CLAIM_LEASE = timedelta(minutes=30)
NOT_CONFIGURED = "GOV.UK Notify is not configured"


def _personalisation(session, notification: Notification, settings: Settings) -> dict:
    alert = notification.alert
    if alert.participant is None:  # someone not joined: for the duty inbox
        return {
            "conference_date": "no conference (not joined)",
            "local_authority": "",
            "raised_by_role": unjoined_told(session, notification),
            "kind": alert.kind.replace("_", " "),
            "link": settings.public_url,  # no conference to link to: the service itself
        }
    conference = alert.participant.conference
    return {
        "conference_date": wording.conference_date(conference.date),
        "local_authority": conference.local_authority,
        "raised_by_role": alert.participant.role.replace("_", " "),
        "kind": alert.kind.replace("_", " "),
        "link": f"{settings.public_url}/conferences/{conference.id}",
    }


def notify_client(settings: Settings) -> NotificationsAPIClient:
    return NotificationsAPIClient(settings.notify_api_key, base_url=settings.notify_base_url)


def claim_due(database: Database, table, *only, now=None) -> list[int]:
    """Take the rows of an outbox table (Notification, Outreach) that are due at `now`
    (naive UTC; the present unless given), and `only` those: one deliverer per message,
    however many run. A claim lasts CLAIM_LEASE, so none is lost to a stop mid-round."""
    now = now or utcnow()
    due_now = (table.status.in_(("pending", "sending")), table.next_attempt_at <= now)
    with database.session() as session, session.begin():
        due = session.execute(select(table.id).where(*due_now, *only)).scalars().all()
        claimed = []
        for row_id in due:
            taken = session.execute(
                update(table)
                .where(table.id == row_id, *due_now)
                .values(status="sending", next_attempt_at=now + CLAIM_LEASE)
            )
            if taken.rowcount == 1:
                claimed.append(row_id)
        return claimed


def send_message(client, channel: str, recipient: str, template_id: str, fields: dict) -> dict:
    """An email or a text through Notify; returns Notify's answer (its "id" is the message's)."""
    if channel == "email":
        return client.send_email_notification(recipient, template_id, fields)
    return client.send_sms_notification(recipient, template_id, fields)


def back_off(row, error) -> None:
    """A message Notify could not take now: tried again later, each time after longer."""
    row.attempts += 1
    row.status = "pending"
    row.last_error = str(error)[:500]
    delay = min(MAX_BACKOFF, timedelta(seconds=5 * 2**row.attempts))
    row.next_attempt_at = utcnow() + delay


def mark_unsent(database: Database, table, reason: str, describe, *only) -> None:
    """With nothing to send through, each waiting message says why, and is logged once."""
    with database.session() as session, session.begin():
        waiting = (
            session.execute(
                select(table).where(table.status == "pending", table.last_error.is_(None), *only)
            )
            .scalars()
            .all()
        )
        for row in waiting:
            row.last_error = reason
            log.warning("%s", describe(row))


def deliver_due(database: Database, settings: Settings) -> int:
    """Send what is due; returns how many were sent."""
    if not settings.notify_api_key:
        mark_unsent(
            database,
            Notification,
            NOT_CONFIGURED,
            lambda notification: (
                f"GOV.UK Notify is not configured (NOTIFY_API_KEY): safeguarding alert "
                f"{notification.alert_id} was recorded but no {notification.channel} was sent "
                f"to the {notification.recipient_role}. It waits in the outbox."
            ),
        )
        return 0
    client = notify_client(settings)
    sent = 0
    for notification_id in claim_due(database, Notification):
        with database.session() as session, session.begin():
            notification = session.get(Notification, notification_id)
            fields = _personalisation(session, notification, settings)
            template = (
                settings.notify_email_template_id
                if notification.channel == "email"
                else settings.notify_sms_template_id
            )
            try:
                response = send_message(
                    client, notification.channel, notification.recipient, template, fields
                )
            except (HTTPError, OSError, ValueError) as error:
                back_off(notification, error)
                log.warning("Notify refused alert %s's %s (try %s): %s", notification.alert_id,
                            notification.channel, notification.attempts, error)  # fmt: skip
                continue
            notification.status = "sent"
            notification.sent_at = utcnow()
            notification.provider_id = str(response.get("id", ""))[:64]
            sent += 1
    return sent


async def keep_running(settings: Settings, what: str, one_round) -> None:
    """Run `one_round()` in a worker thread every COMPANION_NOTIFY_INTERVAL seconds, for
    ever: the web app's background loops (this outbox, invites and reminders)."""
    while True:
        try:
            await asyncio.to_thread(one_round)
        except Exception:  # keep going whatever one round did
            log.exception("%s failed; trying again", what)
        await asyncio.sleep(settings.notify_interval)


async def deliver_forever(database: Database, settings: Settings) -> None:
    """The web app runs this in the background."""
    await keep_running(settings, "delivering the outbox", lambda: deliver_due(database, settings))
