"""Recording a safeguarding alert and queueing the emails and texts that tell the social
worker and the chair. Never the family: recipients are chosen by role, here only."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.model.audit import record
from bot.model.tables import Answer, Notification, Participant, SafeguardingAlert, Score, utcnow
from bot.safeguarding.detector import IMMEDIATE, Finding

log = logging.getLogger("companion.safeguarding")
TOLD = ("social_worker", "chair")  # who hears of an alert; never parents or family
KINDS = {IMMEDIATE: "immediate_danger", "concern": "concern"}
FLOOD_WINDOW = timedelta(minutes=15)


def raise_alert(session: Session, participant: Participant, finding: Finding, text: str):
    alert = SafeguardingAlert(
        conference_id=participant.conference_id,
        participant=participant,
        kind=KINDS[finding.tier],
        pattern=finding.kind,
        text=text,
    )
    session.add(alert)
    session.flush()
    record(session, participant.actor, "safeguarding_alert", "safeguarding_alert",
           alert.id, kind=alert.kind)  # fmt: skip
    if finding.tier == IMMEDIATE and not _told_recently(session, alert):
        for person in participant.conference.participants:
            if person.role not in TOLD:
                continue
            for channel, address in (("email", person.email), ("sms", person.phone)):
                if address:
                    session.add(Notification(alert=alert, channel=channel, recipient=address,
                                             recipient_role=person.role))  # fmt: skip
    return alert


def raise_unjoined_alert(session: Session, finding: Finding, text: str, duty_email: str | None):
    """Someone not joined (a wrong code, locked out) may be a child in danger too: the
    alert is recorded for the duty inbox, never lost."""
    alert = SafeguardingAlert(kind=KINDS[finding.tier], pattern=finding.kind, text=text)
    session.add(alert)
    session.flush()
    record(session, "unjoined", "safeguarding_alert", "safeguarding_alert", alert.id,
           kind=alert.kind)  # fmt: skip
    if finding.tier == IMMEDIATE and duty_email:
        session.add(Notification(alert=alert, channel="email", recipient=duty_email,
                                 recipient_role="duty"))  # fmt: skip
    elif finding.tier == IMMEDIATE:
        log.warning(
            "Safeguarding alert %s from someone not joined is recorded, but nobody is emailed: "
            "set COMPANION_DUTY_EMAIL.",
            alert.id,
        )
    return alert


def _told_recently(session: Session, alert: SafeguardingAlert) -> bool:
    """Several alerts from one person within minutes make one email and one text: the
    social worker reads every message on the alerts, and is not flooded."""
    since = alert.created_at - FLOOD_WINDOW
    earlier = session.execute(
        select(SafeguardingAlert.id)
        .join(Notification, Notification.alert_id == SafeguardingAlert.id)
        .where(
            SafeguardingAlert.participant_id == alert.participant_id,
            SafeguardingAlert.id != alert.id,
            SafeguardingAlert.created_at >= since,
            SafeguardingAlert.disputed_at.is_(None),  # after "you misunderstood", tell again
        )
    ).first()
    return earlier is not None


def record_dispute(session: Session, participant: Participant, text: str):
    """The participant says the bot misunderstood: noted beside their latest alert, which
    stays. Only right after it: once they have answered since, there is nothing to dispute."""
    alert = (
        session.execute(
            select(SafeguardingAlert)
            .where(SafeguardingAlert.participant_id == participant.id)
            .order_by(SafeguardingAlert.id.desc())
        )
        .scalars()
        .first()
    )
    if alert is None:
        return None
    for model in (Answer, Score):  # an answer or a score since: the alert is not the latest
        answered_since = session.execute(
            select(model.id).where(
                model.participant_id == participant.id, model.created_at > alert.created_at
            )
        ).first()
        if answered_since:
            return None
    alert.disputed_text = text if not alert.disputed_text else f"{alert.disputed_text}\n{text}"
    alert.disputed_at = utcnow()
    record(session, participant.actor, "alert_disputed", "safeguarding_alert",
           alert.id)  # fmt: skip
    return alert
