"""The duty inbox's emails of alerts from people not joined (a wrong code, locked out):
anyone may post to the chat unsigned, so however many arrive the inbox gets at most
DUTY_EMAILS_AN_HOUR, and none of the alerts is lost. Kept apart from the detector, so the
web app's outbox can word the emails without loading it."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bot import wording
from bot.model.tables import Notification, SafeguardingAlert, utcnow

log = logging.getLogger("companion.safeguarding")
DUTY = "duty"  # the recipient_role of the duty inbox's emails
DUTY_EMAILS_AN_HOUR = 3
DUTY_HOUR = timedelta(hours=1)


def one_at_a_time(session: Session) -> None:
    """Alerts from people not joined are numbered and counted one transaction at a time,
    whichever process raises them (SQLite: the write lock of the alert's insert does it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(2412)"))  # 2412: this lock's own


def tell_duty(session: Session, alert: SafeguardingAlert, duty_email: str) -> None:
    """At most DUTY_EMAILS_AN_HOUR emails in any hour to the duty inbox, counted in the
    database so that every process keeps to it: one email an alert until then; after that
    one email, queued for the moment the hour allows, tells of every alert that came in
    the meantime (see unjoined_since). Every alert is recorded whatever happens. Called
    after one_at_a_time, before the alert was added."""
    now = utcnow()
    queued = (
        session.execute(
            select(Notification.created_at)
            .where(Notification.recipient_role == DUTY, Notification.created_at > now - DUTY_HOUR)
            .order_by(Notification.created_at)
        )
        .scalars()
        .all()
    )
    if queued and queued[-1] > now:  # an email waiting for its moment tells of this one too
        return
    due = now if len(queued) < DUTY_EMAILS_AN_HOUR else queued[-DUTY_EMAILS_AN_HOUR] + DUTY_HOUR
    if due > now:
        log.warning(
            "Safeguarding alert %s from someone not joined is recorded; the duty inbox has "
            "had %s emails this hour, so one email at %s will tell of it and any others.",
            alert.id, DUTY_EMAILS_AN_HOUR, due.strftime("%H:%M UTC"),
        )  # fmt: skip
    session.add(Notification(alert=alert, channel="email", recipient=duty_email,
                             recipient_role=DUTY, created_at=due,
                             next_attempt_at=due))  # fmt: skip


def unjoined_since(session: Session, notification: Notification) -> int:
    """How many more alerts from people not joined a duty email tells of, beyond its own:
    those after its alert, up to its moment, that had no email of their own."""
    emailed = select(Notification.alert_id).where(Notification.alert_id == SafeguardingAlert.id)
    return session.scalar(
        select(func.count())
        .select_from(SafeguardingAlert)
        .where(
            SafeguardingAlert.participant_id.is_(None),
            SafeguardingAlert.conference_id.is_(None),
            SafeguardingAlert.id > notification.alert_id,
            SafeguardingAlert.created_at <= notification.created_at,
            ~emailed.exists(),
        )
    )


def unjoined_told(session: Session, notification: Notification) -> str:
    """Who raised the alert, in a duty email's words (personalisation `raised_by_role`)."""
    more = unjoined_since(session, notification)
    said = "someone who has not joined a conference chat"
    if not more:
        return said
    since = wording.said(notification.alert.created_at.isoformat(), utc=True)
    alerts = "alert" if more == 1 else "alerts"
    return (
        f"{said}, and {more} more {alerts} from people not joined since {since} "
        f"(one email for them all: the duty inbox gets at most {DUTY_EMAILS_AN_HOUR} an hour)"
    )
