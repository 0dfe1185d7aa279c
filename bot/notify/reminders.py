"""Reminders: a participant who has not sent their answers, a few working days before the
conference; a social worker or professional, one working day before their report must
reach the family.

Nothing is scheduled ahead: each round works out from the database what is due, so a
restart neither loses nor repeats one. A reminder due goes into the outreach outbox, whose
unique index (one_reminder_per_reason) refuses a second for the same participant, reason
and channel, however many web apps run this at once. The deliverer of invites
(bot/notify/invites.py) sends it through GOV.UK Notify.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import vocabulary, wording
from bot.agenda.loader import Agenda, load_agenda
from bot.deadlines import working_days_before
from bot.model.audit import record
from bot.model.database import Database
from bot.model.invites import live_invite
from bot.model.tables import Answer, Conference, Invite, Outreach, Participant
from bot.notify.outbox import keep_running
from bot.settings import Settings

log = logging.getLogger("companion.reminders")

UK = ZoneInfo("Europe/London")
# Never a message between 8pm and 8am, UK time: one that falls then waits until 8am.
DAY_STARTS = time(8)
DAY_ENDS = time(20)
REASONS = ("not_finished", "report_due")
REPORTING_ROLES = ("social_worker", "professional")  # whose report reaches the family
ACTOR = "service"
SHORT_ID = 8  # characters of a conference's id the command line shows


def clock() -> datetime:
    """Now, in UTC (the web app's rounds ask here; tests set it)."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Reminder:
    participant_id: int
    name: str
    role: str
    conference_id: str
    conference_type: str
    conference_date: datetime  # the meeting's UK date and time, as stored
    local_authority: str
    reason: str  # not_finished or report_due
    channel: str | None  # email or sms; None: no contact to use (or they prefer letters)
    goes_at: datetime  # UK time: now, the due day's 8am, or 8am after a quiet-hours hold
    due: bool  # its time has come: it goes into the outbox now (once they are invited)
    held: bool  # due but for quiet hours: it waits until 8am
    # Never invited yet (no invite sent or printed, no chat opened): it waits for the
    # coordinator's invite, so nobody hears from us first by a reminder.
    not_invited: bool = False
    report_deadline: date | None = None  # report_due: when the report must reach the family

    @property
    def goes_now(self) -> bool:
        return self.due and self.channel is not None and not self.not_invited


def uk(moment: datetime) -> datetime:
    """A moment in UK time; a naive one is taken as UTC, as the database stores them."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(UK)


def sending_time(earliest: datetime, now: datetime) -> datetime:
    """When a message that may go from `earliest` goes, if asked `now` (both UK time):
    at once, or at 8am when it would fall between 8pm and 8am."""
    at = max(earliest, now)
    if at.time() < DAY_STARTS:
        return datetime.combine(at.date(), DAY_STARTS, tzinfo=UK)
    if at.time() >= DAY_ENDS:
        return datetime.combine(at.date() + timedelta(days=1), DAY_STARTS, tzinfo=UK)
    return at


def quiet_until(now: datetime) -> datetime | None:
    """If `now` falls between 8pm and 8am UK time, the 8am a reminder waits for, in naive
    UTC like the outbox's times (for the deliverer's retries); None when it may go now."""
    local = uk(now)
    goes = sending_time(local, local)
    return None if goes == local else goes.astimezone(timezone.utc).replace(tzinfo=None)


def due_day(conference: Conference, reason: str, settings: Settings, agenda: Agenda):
    """The day a reminder for this reason may go (from 8am), or None when there is none."""
    if reason == "not_finished":
        return working_days_before(conference.date.date(), settings.reminder_working_days)
    deadline = agenda.report_deadline(conference)
    return None if deadline is None else working_days_before(deadline, 1)


def still_asked(participant: Participant) -> bool:
    """Asked for their views, not taken off the conference, answers not yet sent."""
    return (
        participant.role in vocabulary.ANSWERING_ROLES
        and participant.removed_at is None
        and participant.response_status != "submitted"
    )


def contacts(participant: Participant) -> list[tuple[str, str | None]]:
    """(channel, recipient) for each way an invite goes: each email address and mobile
    number, or a letter for someone who prefers one or gave neither. A reminder goes only
    by email or text: a letter is printed for the invite alone."""
    if participant.channel == "letter":
        return [("letter", None)]
    found = [("email", participant.email), ("sms", participant.phone)]
    return [(channel, to) for channel, to in found if to] or [("letter", None)]


def messaged(participant: Participant) -> list[str]:
    """The channels a reminder can go by: email and sms, or none."""
    return [channel for channel, _ in contacts(participant) if channel != "letter"]


def _timings(conference: Conference, settings: Settings, agenda: Agenda, now: datetime):
    """(reason, earliest, goes_at) of each reminder this conference has still to come:
    none that could only go once it has begun, no report reminder past the deadline."""
    starts = conference.date.replace(tzinfo=UK)
    deadline = agenda.report_deadline(conference)
    for reason in REASONS:
        day = due_day(conference, reason, settings, agenda)
        if day is None:
            continue
        earliest = datetime.combine(day, DAY_STARTS, tzinfo=UK)
        goes_at = sending_time(earliest, now)
        if goes_at >= starts:
            continue
        if reason == "report_due" and goes_at.date() > deadline:
            continue  # too late to remind: the chair's page shows the report as late
        yield reason, earliest, goes_at


def due_reminders(
    session: Session,
    settings: Settings,
    now: datetime,
    agenda: Agenda | None = None,
    due_only: bool = False,
) -> list[Reminder]:
    """Every reminder due or coming (due_only: whose time has come) for conferences still
    ahead, soonest first: none already in the outbox, none for answers already sent or a
    report already shared."""
    agenda = agenda or load_agenda()
    now = uk(now)
    ahead = session.execute(
        select(Conference)
        .where(Conference.date > now.replace(tzinfo=None))
        .order_by(Conference.date)
    ).scalars()
    timings = {}
    for conference in ahead:  # worked out from the conference alone: cheap, every round
        found = [
            t for t in _timings(conference, settings, agenda, now) if t[2] <= now or not due_only
        ]
        if found:
            timings[conference] = found
    people = [p for c in timings for p in c.participants if still_asked(p)]
    ids = [p.id for p in people]
    queued = _queued(session, ids)
    shared = _reports_shared(session, [p.id for p in people if p.role in REPORTING_ROLES])
    invited = _invited(session, ids)
    reminders = []
    for conference, found in timings.items():
        deadline = agenda.report_deadline(conference)
        for reason, earliest, goes_at in found:
            for participant in conference.participants:
                if not still_asked(participant):
                    continue
                if reason == "report_due" and (
                    participant.role not in REPORTING_ROLES or participant.id in shared
                ):
                    continue
                channels = messaged(participant) or [None]
                for channel in channels:
                    if (participant.id, reason, channel) in queued:
                        continue
                    reminders.append(
                        Reminder(
                            participant_id=participant.id,
                            name=participant.name,
                            role=participant.role,
                            conference_id=conference.id,
                            conference_type=conference.type,
                            conference_date=conference.date,
                            local_authority=conference.local_authority,
                            reason=reason,
                            channel=channel,
                            goes_at=goes_at,
                            due=goes_at <= now,
                            held=earliest <= now < goes_at,
                            not_invited=participant.id not in invited,
                            report_deadline=deadline if reason == "report_due" else None,
                        )
                    )
    reminders.sort(
        key=lambda r: (r.goes_at, r.conference_date, vocabulary.role_order(r.role), r.name)
    )
    return reminders


def _invited(session: Session, participant_ids: list[int]) -> set[int]:
    """Who has had their invite: an email or text sent, a letter printed, or the chat
    opened with the code (handed over by hand before invites were sent from here)."""
    if not participant_ids:
        return set()
    sent = select(Outreach.participant_id).where(
        Outreach.kind == "invite",
        Outreach.status.in_(("sent", "delivered")),
        Outreach.participant_id.in_(participant_ids),
    )
    opened = select(Invite.participant_id).where(
        Invite.bound_sender.is_not(None), Invite.participant_id.in_(participant_ids)
    )
    return set(session.execute(sent).scalars()) | set(session.execute(opened).scalars())


def _queued(session: Session, participant_ids: list[int]) -> set:
    """(participant id, reason, channel) of every reminder already in the outbox."""
    if not participant_ids:
        return set()
    return set(
        session.execute(
            select(Outreach.participant_id, Outreach.reason, Outreach.channel).where(
                Outreach.kind == "reminder", Outreach.participant_id.in_(participant_ids)
            )
        ).all()
    )


def _reports_shared(session: Session, participant_ids: list[int]) -> set[int]:
    """Who told the chat they have shared their report with the family."""
    if not participant_ids:
        return set()
    return set(
        session.execute(
            select(Answer.participant_id).where(
                Answer.participant_id.in_(participant_ids),
                Answer.question_key == "report_shared",
                Answer.choice == "yes",
                Answer.superseded_at.is_(None),
            )
        ).scalars()
    )


def send_due_reminders(
    database: Database, settings: Settings, now: datetime | None = None, agenda=None
) -> list[Reminder]:
    """Put every reminder whose time has come into the outbox, each audited; returns those
    this call queued. Another process queueing the same one first is no error."""
    now = now or clock()
    with database.session() as session:
        found = due_reminders(session, settings, now, agenda, due_only=True)
        due = [reminder for reminder in found if reminder.goes_now]
    return queue_reminders(database, due)


def queue_reminders(database: Database, due: list[Reminder]) -> list[Reminder]:
    """Each reminder into the outbox in its own transaction, audited; those queued."""
    queued = []
    for reminder in due:
        try:
            with database.session() as session, session.begin():
                if _queue(session, reminder):
                    queued.append(reminder)
        except IntegrityError:  # another web app queued it a moment ago
            log.info("reminder %s for participant %s was already queued",
                     reminder.reason, reminder.participant_id)  # fmt: skip
    if queued:
        log.info("queued %s reminder(s)", len(queued))
    return queued


def _queue(session: Session, reminder: Reminder) -> bool:
    participant = session.get(Participant, reminder.participant_id)
    if participant is None or not still_asked(participant):  # sent or removed meanwhile
        return False
    recipient = dict(contacts(participant)).get(reminder.channel)
    if recipient is None:  # the contact was taken away meanwhile (or a letter preferred)
        return False
    outreach = Outreach(
        participant=participant,
        invite=live_invite(participant),  # its link goes in the message
        kind="reminder",
        reason=reminder.reason,
        channel=reminder.channel,
        recipient=recipient,
        created_by=ACTOR,
    )
    session.add(outreach)
    session.flush()  # the unique index speaks here
    record(
        session,
        ACTOR,
        "reminder_queued",
        "outreach",
        outreach.id,
        conference=participant.conference_id,
        participant=participant.key,
        reason=reminder.reason,
        channel=reminder.channel,
    )
    return True


async def remind_forever(database: Database, settings: Settings) -> None:
    """The web app runs this in the background, beside the outbox's deliverer."""
    await keep_running(
        settings, "queueing reminders", lambda: send_due_reminders(database, settings)
    )


# --- in words, for `companion reminders` ----------------------------------------------


def why(reminder: Reminder) -> str:
    if reminder.reason == "report_due":
        return f"their report must reach the family by {wording.day(reminder.report_deadline)}"
    return "has not sent their answers yet"


def how(reminder: Reminder) -> str:
    if reminder.channel is None:
        return (
            "no email or text can go (no address or number, or they prefer letters): "
            "reach them another way"
        )
    return {"email": "by email", "sms": "by text message"}[reminder.channel]


def when(reminder: Reminder) -> str:
    goes = reminder.goes_at.replace(tzinfo=None)
    if reminder.held:
        said = f"held until {wording.conference_date(goes)} (no messages between 8pm and 8am)"
    elif reminder.due:
        said = "goes now"
    else:
        said = f"goes {wording.conference_date(goes)}"
    if not reminder.not_invited:
        return said
    if reminder.due and not reminder.held:
        return "not invited yet: goes as soon as their invite is sent"
    return f"not invited yet: goes once their invite is sent, from {wording.conference_date(goes)}"


def line(reminder: Reminder) -> str:
    """One reminder as the command line says it. Its conference is told apart from another
    the same day by its council and the start of its id (as in the address of its invites
    page), not by the children's names: a terminal or a log may be read over a shoulder."""
    role = vocabulary.ROLE_TITLES[reminder.role]
    conference = (
        f"{reminder.conference_type} conference on "
        f"{wording.conference_date(reminder.conference_date)}, {reminder.local_authority} "
        f"(conference {reminder.conference_id[:SHORT_ID]})"
    )
    going = when(reminder) if reminder.channel else ""
    parts = [f"{reminder.name} ({role}), {conference}", why(reminder), how(reminder), going]
    return "; ".join(part for part in parts if part)
