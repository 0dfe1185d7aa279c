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
from bot.safeguarding.duty import one_at_a_time, tell_duty

log = logging.getLogger("companion.safeguarding")
TOLD = ("social_worker", "chair")  # who hears of an alert; never parents or family
IMMEDIATE_DANGER, CONCERN = "immediate_danger", "concern"
FLOOD_WINDOW = timedelta(minutes=15)
FULL_HELP_QUIET = timedelta(minutes=30)


def raise_alert(
    session: Session,
    participant: Participant,
    finding: Finding,
    text: str,
    immediate: bool | None = None,
    answer: Answer | None = None,
):
    """An alert (immediate danger, told to the social worker and the chair at once) or a
    concern (for their reading), pointing at the answer the words were kept as."""
    immediate = finding.tier == IMMEDIATE if immediate is None else immediate
    alert = SafeguardingAlert(
        conference_id=participant.conference_id,
        participant=participant,
        kind=IMMEDIATE_DANGER if immediate else CONCERN,
        pattern=finding.kind,
        text=text,
        answer_id=answer.id if answer is not None else None,
    )
    session.add(alert)
    session.flush()
    record(session, participant.actor, "safeguarding_alert", "safeguarding_alert",
           alert.id, kind=alert.kind)  # fmt: skip
    if immediate:
        _tell(session, alert)
    return alert


def escalate(session: Session, alert: SafeguardingAlert, check_reply: str) -> None:
    """The safety check was answered: recorded beside the alert; "not safe" or "not sure"
    makes a concern an immediate alert, told at once."""
    alert.check_reply = check_reply
    record(session, alert.participant.actor, "safety_check_answered", "safeguarding_alert",
           alert.id, reply=check_reply)  # fmt: skip
    if check_reply != "safe_now" and alert.kind != IMMEDIATE_DANGER:
        alert.kind = IMMEDIATE_DANGER
        _tell(session, alert)


def _tell(session: Session, alert: SafeguardingAlert) -> None:
    """Queue an email and a text to the social worker and the chair (once in a while)."""
    if _told_recently(session, alert):
        return
    for person in alert.participant.conference.participants:
        if person.role not in TOLD:
            continue
        for channel, address in (("email", person.email), ("sms", person.phone)):
            if address:
                session.add(Notification(alert=alert, channel=channel, recipient=address,
                                         recipient_role=person.role))  # fmt: skip


def helped_recently(session: Session, participant: Participant) -> bool:
    """Has this person been shown the full help, for an immediate alert, within the last
    half hour? Then another alert gets one short line, not the whole script again."""
    since = utcnow() - FULL_HELP_QUIET
    return (
        session.execute(
            select(SafeguardingAlert.id).where(
                SafeguardingAlert.participant_id == participant.id,
                SafeguardingAlert.kind == IMMEDIATE_DANGER,
                SafeguardingAlert.created_at >= since,
            )
        ).first()
        is not None
    )


def raise_unjoined_alert(session: Session, finding: Finding, text: str, duty_email: str | None):
    """Someone not joined (a wrong code, locked out) may be a child in danger too: the
    alert is recorded for the duty inbox, never lost."""
    one_at_a_time(session)
    alert = SafeguardingAlert(kind=IMMEDIATE_DANGER, pattern=finding.kind, text=text)
    session.add(alert)
    session.flush()
    record(session, "unjoined", "safeguarding_alert", "safeguarding_alert", alert.id,
           kind=alert.kind)  # fmt: skip
    if duty_email:
        tell_duty(session, alert, duty_email)
    else:
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
