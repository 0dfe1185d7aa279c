"""Invites and reminders to participants: queued in the Outreach outbox, sent through GOV.UK
Notify by the web app in the background, and followed to Notify's delivery report.

Everyone asked for their views gets an invite at each email address and each mobile number
they gave; someone who prefers a letter, or gave neither, gets a letter the coordinator
prints. The deliverer sends every due row, invites and reminders alike (bot/notify/
reminders.py only adds reminder rows), but never a reminder between 8pm and 8am UK time.
A contact Notify refuses fails at once with what to do; a message Notify refuses for the
service's set-up waits, saying what to set, and is tried again; Notify being down or slow is
tried again, each time after longer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from notifications_python_client.errors import APIError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import vocabulary, wording
from bot.links import invite_links
from bot.model.audit import record
from bot.model.database import Database
from bot.model.invites import issue_invite, live_invite, reissue_invite
from bot.model.tables import Conference, Outreach, Participant, Progress, utcnow
from bot.notify import reminders
from bot.notify.outbox import (
    back_off,
    claim_due,
    keep_running,
    mark_unsent,
    notify_client,
    send_message,
)
from bot.notify.outreach_words import (
    FAILURE_ADVICE,
    INVITE_STATUS,
    REASONS,
    SETUP_ADVICE,
    SETUP_ADVICE_OTHERWISE,
)
from bot.notify.reminders import contacts  # each way an invite goes (one list for both)
from bot.review.statuses import answering_status
from bot.settings import Settings

log = logging.getLogger("companion.notify")
NOT_SET_UP = "GOV.UK Notify is not set up (NOTIFY_API_KEY)"
TO_NOTIFY = Outreach.channel != "letter"  # a letter is printed, never sent
# Notify keeps a message's delivery report for 7 days; we ask again at most once a minute.
CHECK_AGAIN_AFTER = timedelta(minutes=1)
REPORT_KEPT = timedelta(days=7)
# A message Notify refused for our set-up (a team-only key, say) is tried again this often,
# so it goes once the setting is put right, without asking Notify every minute meanwhile.
SETUP_CHECKED_AGAIN = timedelta(minutes=10)
DELIVERED = "delivered"
FAILURES = ("permanent-failure", "temporary-failure", "technical-failure")


def invitees(conference: Conference) -> list[Participant]:
    """Everyone asked for their views and still taking part (the chair signs in as staff)."""
    return [
        p
        for p in conference.participants
        if p.role in vocabulary.ANSWERING_ROLES and p.removed_at is None
    ]


def has_started(participant: Participant, progress) -> bool:
    return answering_status(participant, progress) != "not_started"


@dataclass
class Queued:
    """What one press of "Send" did."""

    messages: int = 0  # emails and texts queued
    letters: int = 0  # letters now waiting to be printed
    started: list[str] = field(default_factory=list)  # names not invited again
    no_code: list[str] = field(default_factory=list)  # opened an old invite: reissue to send
    revoked: list[str] = field(default_factory=list)  # no code works: reissue to send


def queue_invites(
    session: Session, conference: Conference, actor: str, participant: Participant | None = None
) -> Queued:
    """Queue the invites not yet sent, except to anyone who has started answering (or, for
    one participant, send theirs again). An old invite with no code kept is reissued,
    unless its chat is already open; a revoked one is left for the coordinator to reissue."""
    queued = Queued()
    people = invitees(conference) if participant is None else [participant]
    for person in people:
        if person.removed_at is not None or person.role not in vocabulary.ANSWERING_ROLES:
            continue
        if participant is None and has_started(person, session.get(Progress, person.id)):
            queued.started.append(person.name)  # sent again only when asked for them alone
            continue
        invite = live_invite(person)
        if invite is None and person.invites:  # revoked on purpose: a reissue gives a code
            queued.revoked.append(person.name)
            continue
        if invite is None:  # added since the conference was set up
            issue_invite(session, person, actor)
        elif invite.code is None and invite.bound_sender is None:
            reissue_invite(session, person, actor)  # made before codes were kept
        invite = live_invite(person)
        if invite.code is None:
            queued.no_code.append(person.name)
            continue
        earlier = session.execute(
            select(Outreach).where(
                Outreach.invite_id == invite.id,
                Outreach.kind == "invite",
                Outreach.status != "revoked",
            )
        ).scalars().all()  # fmt: skip
        for channel, recipient in contacts(person):
            same = [row for row in earlier if (row.channel, row.recipient) == (channel, recipient)]
            waiting = any(row.status in ("pending", "sending") for row in same)
            if waiting or (same and participant is None):
                continue  # already on its way, or sent before and this is not a resend
            session.add(
                Outreach(
                    participant=person,
                    invite=invite,
                    kind="invite",
                    reason="invite",
                    channel=channel,
                    recipient=recipient,
                    created_by=actor,
                )
            )
            if channel == "letter":
                queued.letters += 1
            else:
                queued.messages += 1
            record(session, actor, "invite_queued", "participant", person.id, channel=channel)
    session.flush()
    return queued


def template_for(settings: Settings, kind: str, channel: str) -> tuple[str, str | None]:
    """The setting that names the Notify template for this kind of message, and its value."""
    name = f"NOTIFY_{kind.upper()}_{'EMAIL' if channel == 'email' else 'SMS'}_TEMPLATE_ID"
    return name, getattr(settings, name.lower())


def personalisation(outreach: Outreach, settings: Settings) -> dict:
    """The fields every invite and reminder template may use."""
    participant = outreach.participant
    conference = participant.conference
    invite = outreach.invite or live_invite(participant)
    code = invite.code if invite is not None else None
    links = invite_links(settings, code) if code else {"web_link": f"{settings.public_url}/chat"}
    return {
        "name": participant.name,
        "conference_date": wording.conference_date(conference.date),
        "local_authority": conference.local_authority,
        "web_link": links["web_link"],
        "telegram_link": links.get("telegram_link") or "",
        "code": code or "",
        "reason": REASONS.get(outreach.reason, REASONS["invite"]),
    }


def deliver_due_outreach(database: Database, settings: Settings) -> int:
    """Send every invite and reminder that is due; returns how many were sent."""
    if not settings.notify_api_key:
        mark_unsent(
            database,
            Outreach,
            NOT_SET_UP,
            lambda row: f"{NOT_SET_UP}: {row.kind} {row.id} by {row.channel} waits in the outbox.",
            TO_NOTIFY,
        )
        return 0
    client = notify_client(settings)
    now = reminders.clock()
    due = [TO_NOTIFY]
    # Never a reminder between 8pm and 8am, however it comes to be due then: a retry after
    # Notify was down at 7:59pm, or one that waited for Notify to be set up. Invites are
    # not held: a coordinator presses Send for them herself, in office hours.
    quiet_until = reminders.quiet_until(now)
    if quiet_until is not None:
        hold_reminders(database, quiet_until)
        due.append(Outreach.kind != "reminder")
    sent = 0
    naive_now = now.astimezone(timezone.utc).replace(tzinfo=None)
    for outreach_id in claim_due(database, Outreach, *due, now=naive_now):
        with database.session() as session, session.begin():
            outreach = session.get(Outreach, outreach_id)
            sent += _send_one(session, client, outreach, settings, now)
    return sent


def hold_reminders(database: Database, until: datetime) -> None:
    """Each reminder waiting to go before `until` (8am, naive UTC) now goes then, audited
    once however many web apps hold it."""
    with database.session() as session, session.begin():
        waiting = session.execute(
            select(Outreach.id).where(
                Outreach.kind == "reminder",
                Outreach.status == "pending",
                Outreach.next_attempt_at < until,
                TO_NOTIFY,
            )
        ).scalars().all()  # fmt: skip
        for outreach_id in waiting:
            taken = session.execute(
                update(Outreach)
                .where(
                    Outreach.id == outreach_id,
                    Outreach.status == "pending",
                    Outreach.next_attempt_at < until,
                )
                .values(next_attempt_at=until)
            )
            if taken.rowcount == 1:
                record(session, "service", "reminder_held", "outreach", outreach_id,
                       until=until.isoformat())  # fmt: skip


def _send_one(
    session: Session, client, outreach: Outreach, settings: Settings, now: datetime
) -> int:
    why_not = _no_longer_needed(outreach, now)
    if why_not:  # things changed while it waited (a reminder held overnight, say)
        outreach.status = "revoked"
        outreach.last_error = why_not
        record(session, "service", "outreach_withdrawn", "outreach", outreach.id, why=why_not)
        return 0
    setting, template = template_for(settings, outreach.kind, outreach.channel)
    if not template:  # waits for the setting (and a restart), asked again each minute
        why = f"{setting} is not set: no template to send it with"
        if outreach.last_error != why:
            log.warning("%s: %s %s waits in the outbox", why, outreach.kind, outreach.id)
        outreach.status, outreach.last_error = "pending", why
        outreach.next_attempt_at = utcnow() + CHECK_AGAIN_AFTER
        return 0
    try:
        response = send_message(
            client,
            outreach.channel,
            outreach.recipient,
            template,
            personalisation(outreach, settings),
        )
    except APIError as error:
        if error.status_code == 400 and _contact_refused(error):  # never, as it is
            outreach.status = "failed"
            outreach.attempts += 1
            outreach.last_error = f"refused: {_notify_says(error)}"[:500]
            record(session, "service", "outreach_refused", "outreach", outreach.id)
            log.warning("Notify refused %s %s's contact: %s", outreach.kind, outreach.id, error)
            return 0
        if error.status_code == 400:  # our set-up: waits until it is put right
            outreach.status, outreach.attempts = "pending", outreach.attempts + 1
            why = _setup_problem(error, setting)
            if outreach.last_error != why:
                record(session, "service", "outreach_held_setup", "outreach", outreach.id,
                       notify_says=_notify_says(error)[:200])  # fmt: skip
                log.warning("Notify would not send %s %s: %s", outreach.kind, outreach.id, why)
            outreach.last_error = why
            outreach.next_attempt_at = utcnow() + SETUP_CHECKED_AGAIN
            return 0
        back_off(outreach, error)
        log.warning("Notify could not take %s %s (try %s): %s",
                    outreach.kind, outreach.id, outreach.attempts, error)  # fmt: skip
        return 0
    except (OSError, ValueError) as error:
        back_off(outreach, error)
        log.warning("Notify could not be reached for %s %s (try %s): %s",
                    outreach.kind, outreach.id, outreach.attempts, error)  # fmt: skip
        return 0
    outreach.status = "sent"
    outreach.sent_at = utcnow()
    outreach.last_error = None
    outreach.provider_id = str(response.get("id", ""))[:64]
    record(session, "service", "outreach_sent", "outreach", outreach.id,
           kind=outreach.kind, reason=outreach.reason, channel=outreach.channel)  # fmt: skip
    return 1


def _no_longer_needed(outreach: Outreach, now: datetime) -> str | None:
    """Why a message that waited (for Notify to be up, or set up) must not go now."""
    participant = outreach.participant
    if participant.removed_at is not None:
        return "taken off the conference"
    if outreach.invite is not None and outreach.invite.revoked_at is not None:
        return "its code no longer works"
    if participant.response_status == "submitted":
        return "the answers were sent"
    if participant.conference.date <= reminders.uk(now).replace(tzinfo=None):
        return "the conference has begun"  # nobody is asked for views they cannot give
    return None


def _notify_errors(error: APIError) -> list[dict]:
    """Notify's errors, each {"error": its type, "message": its words}."""
    message = error.message
    if isinstance(message, list):
        return [item if isinstance(item, dict) else {"message": item} for item in message]
    return [{"message": message}]


def _notify_says(error: APIError) -> str:
    """Notify's own words for a refusal ("phone_number Not a UK mobile number")."""
    return "; ".join(str(item.get("message", item)) for item in _notify_errors(error))


def _contact_refused(error: APIError) -> bool:
    """Only a ValidationError about the email address or mobile number is the contact's
    fault; Notify's other 400s (a team-only key, trial mode, a template it cannot find or
    fill) are the service's set-up, and the message goes once that is put right."""
    return any(
        item.get("error") == "ValidationError"
        and str(item.get("message", "")).startswith(("email_address", "phone_number"))
        for item in _notify_errors(error)
    )


def _setup_problem(error: APIError, setting: str) -> str:
    """What to set or check, as the invites page says it ("Not sent yet: ...")."""
    said = _notify_says(error)
    advice = next(
        (words for key, words in SETUP_ADVICE if key in said.lower()), SETUP_ADVICE_OTHERWISE
    )
    advice = advice.format(setting=setting)
    return f"GOV.UK Notify would not send it (“{said}”). {advice[0].upper()}{advice[1:]}"[:500]


def check_delivery(database: Database, settings: Settings) -> int:
    """Ask Notify how each sent message went and record delivered or failed; returns how
    many changed. Several web apps may ask at once: each change is recorded once."""
    if not settings.notify_api_key:
        return 0
    client = notify_client(settings)
    now = utcnow()
    with database.session() as session:
        due = session.execute(
            select(Outreach.id, Outreach.provider_id).where(
                Outreach.status == "sent",
                Outreach.provider_id.is_not(None),
                Outreach.sent_at > now - REPORT_KEPT,
                (Outreach.status_checked_at.is_(None))
                | (Outreach.status_checked_at <= now - CHECK_AGAIN_AFTER),
            )
        ).all()  # fmt: skip
    changed = 0
    for outreach_id, provider_id in due:
        try:
            status = client.get_notification_by_id(provider_id).get("status")
        except (APIError, OSError, ValueError) as error:
            status = None
            log.warning("Notify's report on outreach %s could not be had: %s", outreach_id, error)
        found = {"status_checked_at": utcnow()}
        if status == DELIVERED:
            found.update(status="delivered", delivered_at=utcnow())
        elif status in FAILURES:
            found.update(status="failed", last_error=status)
        with database.session() as session, session.begin():
            taken = session.execute(
                update(Outreach)
                .where(Outreach.id == outreach_id, Outreach.status == "sent")
                .values(**found)
            )
            if taken.rowcount == 1 and "status" in found:
                record(session, "service", f"outreach_{found['status']}", "outreach",
                       outreach_id, notify_status=status)  # fmt: skip
                changed += 1
    return changed


async def deliver_outreach_forever(database: Database, settings: Settings) -> None:
    """The web app runs this in the background: send what is due, then ask how it went."""

    def one_round():
        deliver_due_outreach(database, settings)
        check_delivery(database, settings)

    await keep_running(settings, "delivering invites and reminders", one_round)


# Where an invite stands -------------------------------------------------------------------


@dataclass
class ContactStatus:
    channel: str
    recipient: str | None
    status: str  # an INVITE_STATUS key
    words: str
    advice: str | None = None  # for a failed one: what to do
    outreach_id: int | None = None


def contact_status(outreach: Outreach) -> ContactStatus:
    """One email, text or letter, in words."""
    if outreach.channel == "letter":
        key = "printed" if outreach.status == "sent" else "to_print"
    else:
        key = {"pending": "waiting", "sending": "waiting"}.get(outreach.status, outreach.status)
    advice = None
    if key == "failed":
        reason = (outreach.last_error or "").split(":")[0]
        advice = FAILURE_ADVICE.get(reason, FAILURE_ADVICE["technical-failure"])
    elif key == "waiting" and outreach.last_error:
        advice = f"Not sent yet: {outreach.last_error}."
    return ContactStatus(
        outreach.channel, outreach.recipient, key, INVITE_STATUS[key], advice, outreach.id
    )


# The overall status: the furthest any of a person's messages got.
_FURTHEST = ("delivered", "sent", "printed", "waiting", "to_print", "failed")


def invite_status(participant: Participant, progress, outreach: list[Outreach]) -> str:
    """Where a participant's invite stands: an INVITE_STATUS key. `outreach`: the rows of
    their live invite."""
    if participant.removed_at is not None:
        return "removed"
    answering = answering_status(participant, progress)
    if answering == "submitted":
        return "submitted"
    if answering != "not_started":
        return "in_progress"
    invite = live_invite(participant)
    if invite is None:
        return "revoked"
    if invite.bound_sender is not None:
        return "opened"
    found = {contact_status(row).status for row in outreach if row.kind == "invite"}
    return next((key for key in _FURTHEST if key in found), "not_sent")
