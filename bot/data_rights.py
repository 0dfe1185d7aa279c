"""Data rights: one person's own data as JSON (`companion export-person`), and the chat's
data erased once a conference's record has been approved long enough (`companion erase`).

What the export holds and what erasing keeps are set out in the README ("Data rights").
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, undefer

from bot.model.audit import record
from bot.model.handled_messages import KEEP, HandledMessage
from bot.model.tables import (
    Answer,
    ChairLink,
    ChairSession,
    Child,
    Conference,
    DangerStatement,
    Decision,
    Invite,
    Notification,
    Outreach,
    Participant,
    Picture,
    PreviousScore,
    Progress,
    RecordEdit,
    RecordVersion,
    SafeguardingAlert,
    Score,
    TelegramChat,
    WebChat,
    utcnow,
)
from bot.settings import Settings

NOTE_SUFFIX = ":note"  # bot/dialogue/conversation.py: words kept for the chair at a question
TRACKER_TABLE = "encrypted_events"  # bot/tracker_store.py


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _channel(sender: str | None) -> str | None:
    """How an invite was used, in a word: "web", "telegram" (or the channel's own prefix)."""
    return sender.split(":", 1)[0] if sender and ":" in sender else ("chat" if sender else None)


def export_person(session: Session, participant: Participant) -> dict:
    """Everything the service holds that is this person's own: their details, their words
    (every version they gave), scores, choices, pictures, invites and where they are in the
    conversation. Nobody else's words, no safeguarding alert, no chair's edits."""
    conference = participant.conference
    children = {child.key: child.name for child in conference.children}
    statements = {statement.id: statement for statement in conference.danger_statements}
    answers = session.execute(
        select(Answer).where(Answer.participant_id == participant.id).order_by(Answer.id)
    ).scalars()
    scores = session.execute(
        select(Score).where(Score.participant_id == participant.id).order_by(Score.id)
    ).scalars()
    previous = session.execute(
        select(PreviousScore).where(PreviousScore.participant_id == participant.id)
    ).scalars()
    pictures = session.execute(
        select(Picture)
        .where(Picture.participant_id == participant.id)
        .options(undefer(Picture.image))
        .order_by(Picture.id)
    ).scalars()
    progress = session.get(Progress, participant.id)
    return {
        "exported_at": _when(utcnow()),
        "conference": {
            "id": conference.id,
            "type": conference.type,
            "date": _when(conference.date),
            "local_authority": conference.local_authority,
        },
        "person": {
            "key": participant.key,
            "name": participant.name,
            "role": participant.role,
            "agency": participant.agency,
            "email": participant.email,
            "phone": participant.phone,
            "speaks_about": [children.get(key, key) for key in participant.children],
            "status": participant.response_status,
            "first_answered_at": _when(participant.first_answered_at),
            "submitted_at": _when(participant.submitted_at),
            "agreed_to_share": participant.consent_to_share,
        },
        "invites": [
            {
                "made_at": _when(invite.created_at),
                "expires_at": _when(invite.expires_at),
                "joined_at": _when(invite.bound_at),
                "joined_by": _channel(invite.bound_sender),
                "stopped_at": _when(invite.revoked_at),
            }
            for invite in participant.invites
        ],
        "conversation": {
            "at_question": progress.step if progress else None,
            "state": progress.state if progress else "not_begun",
            "updated_at": _when(progress.updated_at) if progress else None,
        },
        "answers": [
            {
                "question": answer.question_key,
                "column": answer.column_key,
                "words": answer.text,
                "choice": answer.choice,
                "about": [children.get(key, key) for key in answer.children],
                "shared_with": answer.share_with,
                "given_at": _when(answer.created_at),
                "replaced_at": _when(answer.superseded_at),
            }
            for answer in answers
        ],
        "scores": [
            {
                "danger_statement": statements[score.danger_statement_id].key,
                "score": score.score,
                "why": score.reason,
                "one_point_higher": score.next_point,
                "given_at": _when(score.created_at),
                "replaced_at": _when(score.superseded_at),
            }
            for score in scores
        ],
        "scores_at_the_last_conference": {
            statements[score.danger_statement_id].key: score.score for score in previous
        },
        "pictures": [
            {
                "house": picture.house,
                "question": picture.question_key,
                "shared_with": picture.share_with,
                "media_type": picture.media_type,
                "width": picture.width,
                "height": picture.height,
                "sent_at": _when(picture.created_at),
                "image_base64": base64.b64encode(picture.image).decode("ascii"),
            }
            for picture in pictures
        ],
    }


# What `companion erase` counts, in its words for one and for more.
ONE = {
    "answers": "answer",
    "notes": "note",
    "scores": "score",
    "pictures": "picture",
    "conversations": "conversation",
    "web chats": "web chat",
    "Telegram chats": "Telegram chat",
    "tracker events": "tracker event",
    "invites closed": "invite closed",
    "invites and reminders": "invite or reminder",
    "record versions": "record version",
    "safeguarding alerts": "safeguarding alert",
    "alert messages": "alert message",
    "people": "person",
}


@dataclass
class Erasure:
    """One conference's counts: what was (or, in a dry run, would be) removed."""

    conference: Conference
    approved_at: datetime
    whole: bool  # the record's own retention is over: the conference goes entirely
    counts: dict[str, int] = field(default_factory=dict)
    # Its participants' chats, each with the moment someone of a later conference joined
    # it (None: nobody did): what came after that is the later conference's.
    senders: dict[str, datetime | None] = field(default_factory=dict)

    def line(self, dry_run: bool) -> str:
        conference = self.conference
        named = (
            f"Conference {conference.id} ({conference.local_authority}, held "
            f"{_day(conference.date)}, approved {_day(self.approved_at)})"
        )
        said = ", ".join(
            f"{number} {ONE[what] if number == 1 else what}" for what, number in self.counts.items()
        )
        verb = "would be removed" if dry_run else "removed"
        if self.whole:
            verb += "; the record's retention is over, so the whole conference " + (
                "would go" if dry_run else "is gone"
            )
        if not said:
            return f"{named}: nothing left to remove."
        return f"{named}: {said} {verb}."


def approvals(session: Session) -> dict[str, datetime]:
    """Each approved conference's latest approval (not yet approved: not here)."""
    return dict(
        session.execute(
            select(RecordVersion.conference_id, func.max(RecordVersion.approved_at)).group_by(
                RecordVersion.conference_id
            )
        ).all()
    )


def erase(
    session: Session,
    settings: Settings,
    older_than_days: float | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> list[Erasure]:
    """Remove the chat's data of every conference whose record was last approved more than
    the retention time ago, and the whole conference once the record's own retention is over.
    Never a conference not yet approved."""
    now = now or utcnow()
    chat_days = settings.retention_days if older_than_days is None else older_than_days
    chat_cutoff = now - timedelta(days=chat_days)
    record_cutoff = now - timedelta(days=settings.record_retention_days)
    if not dry_run:  # the replies kept for a message sent again (they may echo its words),
        # past their day: pruned as new ones come too, but a quiet service has none
        session.execute(delete(HandledMessage).where(HandledMessage.handled_at < now - KEEP))
    done = []
    for conference_id, approved_at in sorted(approvals(session).items(), key=lambda i: i[1]):
        if approved_at >= chat_cutoff and approved_at >= record_cutoff:
            continue
        conference = session.get(Conference, conference_id)
        erasure = Erasure(conference, approved_at, whole=approved_at < record_cutoff)
        people = [participant.id for participant in conference.participants]
        erasure.senders = _senders(session, people)
        erasure.counts = _chat_data(session, settings, people, erasure.senders, dry_run, now)
        if erasure.whole:
            erasure.counts.update(_record(session, conference, people, dry_run))
        erasure.counts = {what: n for what, n in erasure.counts.items() if n}
        if not dry_run and erasure.counts:
            record(session, "cli", "chat_data_erased", "conference", conference_id,
                   counts=erasure.counts, whole=erasure.whole)  # fmt: skip
        done.append(erasure)
    return done


def _senders(session: Session, people: list[int]) -> dict[str, datetime | None]:
    """These people's chats, and when each was joined by someone else after them: one
    Telegram chat may go on to a parent's next conference, once the old invite is closed."""
    joined = session.execute(
        select(Invite.bound_sender, func.max(Invite.bound_at))
        .where(Invite.participant_id.in_(people), Invite.bound_sender.is_not(None))
        .group_by(Invite.bound_sender)
    ).all()
    return {
        sender: session.scalar(
            select(func.min(Invite.bound_at)).where(
                Invite.bound_sender == sender,
                Invite.participant_id.not_in(people),
                Invite.bound_at > ours,
            )
        )
        for sender, ours in joined
    }


def _chat_data(
    session: Session, settings: Settings, people, senders, dry_run: bool, now: datetime
) -> dict[str, int]:
    theirs = Answer.participant_id.in_(people)
    only_ours = [sender for sender, later in senders.items() if later is None]
    is_note = Answer.question_key.like(f"%{NOTE_SUFFIX}")
    tables = {
        "answers": (Answer, [theirs, ~is_note]),
        "notes": (Answer, [theirs, is_note]),
        "scores": (Score, [Score.participant_id.in_(people)]),
        "pictures": (Picture, [Picture.participant_id.in_(people)]),
        "conversations": (Progress, [Progress.participant_id.in_(people)]),
        "web chats": (WebChat, [WebChat.sender.in_(only_ours)]),
        "Telegram chats": (TelegramChat, [TelegramChat.sender.in_(only_ours)]),
        # Their invites and reminders: an email address or mobile number each.
        "invites and reminders": (Outreach, [Outreach.participant_id.in_(people)]),
    }
    counts = {what: _count(session, table, where) for what, (table, where) in tables.items()}
    # Counted here, deleted by forget_trackers once this transaction is committed.
    counts["tracker events"] = _trackers(settings.tracker_store_url, senders, dry_run=True)
    live = [Invite.participant_id.in_(people), Invite.revoked_at.is_(None)]
    counts["invites closed"] = _count(session, Invite, live)
    if dry_run:
        return counts
    # An alert keeps its own copy of the words; only its pointer to the answer goes.
    answers = select(Answer.id).where(theirs).scalar_subquery()
    session.execute(
        update(SafeguardingAlert)
        .where(SafeguardingAlert.answer_id.in_(answers))
        .values(answer_id=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Answer).where(theirs).values(superseded_by_id=None),
        execution_options={"synchronize_session": False},
    )
    for table, where in tables.values():
        session.execute(delete(table).where(*where).execution_options(synchronize_session=False))
    session.execute(
        update(Invite).where(*live).values(revoked_at=now),
        execution_options={"synchronize_session": False},
    )
    return counts


def _record(session: Session, conference: Conference, people, dry_run: bool) -> dict[str, int]:
    """The approved versions, the safeguarding record and everything else of the
    conference: its retention is over. The audit log stays (ids only, no words)."""
    its = conference.id
    alerts = select(SafeguardingAlert.id).where(SafeguardingAlert.conference_id == its)
    counts = {
        "record versions": _count(session, RecordVersion, [RecordVersion.conference_id == its]),
        "safeguarding alerts": _count(
            session, SafeguardingAlert, [SafeguardingAlert.conference_id == its]
        ),
        "alert messages": _count(
            session, Notification, [Notification.alert_id.in_(alerts.scalar_subquery())]
        ),
        "people": len(people),
    }
    if dry_run:
        return counts
    statements = select(DangerStatement.id).where(DangerStatement.conference_id == its)
    theirs = [
        (Notification, Notification.alert_id.in_(alerts.scalar_subquery())),
        (SafeguardingAlert, SafeguardingAlert.conference_id == its),
        (RecordVersion, RecordVersion.conference_id == its),
        (RecordEdit, RecordEdit.conference_id == its),
        (Decision, Decision.conference_id == its),
        (ChairLink, ChairLink.participant_id.in_(people)),
        (ChairSession, ChairSession.participant_id.in_(people)),
        (Invite, Invite.participant_id.in_(people)),
        (PreviousScore, PreviousScore.danger_statement_id.in_(statements.scalar_subquery())),
        (Participant, Participant.conference_id == its),
        (DangerStatement, DangerStatement.conference_id == its),
        (Child, Child.conference_id == its),
        (Conference, Conference.id == its),
    ]
    session.expunge_all()  # the rows go by statement: nothing stale is flushed after
    for table, where in theirs:
        session.execute(delete(table).where(where).execution_options(synchronize_session=False))
    return counts


def _count(session: Session, table, where) -> int:
    return session.scalar(select(func.count()).select_from(table).where(*where))


def forget_trackers(settings: Settings, erased: list[Erasure]) -> None:
    """Rasa's copy of the erased conversations, once our erasure is committed: a failure
    before that leaves everything as it was, and one after leaves only trackers, which the
    next run (or COMPANION_TRACKER_RETENTION_DAYS) removes."""
    senders: dict[str, datetime | None] = {}
    for erasure in erased:  # a chat of two erased conferences: the wider reach
        for sender, later in erasure.senders.items():
            was = senders.get(sender, later)
            senders[sender] = None if None in (was, later) else max(was, later)
    _trackers(settings.tracker_store_url, senders, dry_run=False)


def _trackers(url: str, senders: dict[str, datetime | None], dry_run: bool) -> int:
    """Rasa's copy of these conversations, in the tracker store (its own database): a
    chat's events up to the moment someone of a later conference joined it (see _senders)."""
    parsed = sa.engine.make_url(url)
    if not senders or (
        parsed.get_backend_name() == "sqlite" and not Path(parsed.database).exists()
    ):
        return 0  # no tracker store made yet: nothing of theirs in it
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            if not sa.inspect(connection).has_table(TRACKER_TABLE):
                return 0
            events = sa.table(TRACKER_TABLE, sa.column("sender_id"), sa.column("timestamp"))
            theirs = sa.or_(
                events.c.sender_id.in_([sender for sender, at in senders.items() if at is None]),
                *(
                    sa.and_(
                        events.c.sender_id == sender,
                        events.c.timestamp < at.replace(tzinfo=timezone.utc).timestamp(),
                    )
                    for sender, at in senders.items()
                    if at is not None
                ),
            )
            if dry_run:
                return connection.scalar(select(func.count()).select_from(events).where(theirs))
            return connection.execute(sa.delete(events).where(theirs)).rowcount
    finally:
        engine.dispose()
