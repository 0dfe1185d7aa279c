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


def _claim(database: Database) -> list[int]:
    """Take the messages that are due (one deliverer per message, however many run)."""
    with database.session() as session, session.begin():
        due = (
            session.execute(
                select(Notification.id).where(
                    Notification.status == "pending", Notification.next_attempt_at <= utcnow()
                )
            )
            .scalars()
            .all()
        )
        claimed = []
        for notification_id in due:
            taken = session.execute(
                update(Notification)
                .where(Notification.id == notification_id, Notification.status == "pending")
                .values(status="sending")
            )
            if taken.rowcount == 1:
                claimed.append(notification_id)
        return claimed


def deliver_due(database: Database, settings: Settings) -> int:
    """Send what is due; returns how many were sent."""
    if not settings.notify_api_key:
        with database.session() as session, session.begin():
            waiting = (
                session.execute(
                    select(Notification).where(
                        Notification.status == "pending", Notification.last_error.is_(None)
                    )
                )
                .scalars()
                .all()
            )
            for notification in waiting:
                notification.last_error = "GOV.UK Notify is not configured"
                log.warning(
                    "GOV.UK Notify is not configured (NOTIFY_API_KEY): safeguarding alert %s "
                    "was recorded but no %s was sent to the %s. It waits in the outbox.",
                    notification.alert_id, notification.channel, notification.recipient_role,
                )  # fmt: skip
        return 0
    client = NotificationsAPIClient(settings.notify_api_key, base_url=settings.notify_base_url)
    sent = 0
    for notification_id in _claim(database):
        with database.session() as session, session.begin():
            notification = session.get(Notification, notification_id)
            fields = _personalisation(session, notification, settings)
            try:
                if notification.channel == "email":
                    response = client.send_email_notification(
                        notification.recipient, settings.notify_email_template_id, fields
                    )
                else:
                    response = client.send_sms_notification(
                        notification.recipient, settings.notify_sms_template_id, fields
                    )
            except (HTTPError, OSError, ValueError) as error:
                notification.attempts += 1
                notification.status = "pending"
                notification.last_error = str(error)[:500]
                delay = min(MAX_BACKOFF, timedelta(seconds=5 * 2**notification.attempts))
                notification.next_attempt_at = utcnow() + delay
                log.warning("Notify refused alert %s's %s (try %s): %s", notification.alert_id,
                            notification.channel, notification.attempts, error)  # fmt: skip
                continue
            notification.status = "sent"
            notification.sent_at = utcnow()
            notification.provider_id = str(response.get("id", ""))[:64]
            sent += 1
    return sent


async def deliver_forever(database: Database, settings: Settings) -> None:
    """The web app runs this in the background."""
    while True:
        try:
            await asyncio.to_thread(deliver_due, database, settings)
        except Exception:  # keep delivering whatever one round did
            log.exception("delivering the outbox failed; trying again")
        await asyncio.sleep(settings.notify_interval)
