"""Where each person is with their answers, as the chair's pages say it: not started, in
progress, paused, stopped or sent.

The stored `response_status` knows only not started, in progress and sent (it decides what
the family may read, and the approved record is hashed with it); whether someone paused or
stopped is their conversation's state (Progress), so the two are read together here.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import wording
from bot.model.tables import Answer, Participant, Progress

# A conversation's state that is also what the chair is told.
HALTED = ("paused", "stopped")


def answering_status(participant: Participant, progress: Progress | None) -> str:
    """One of vocabulary.RESPONSE_WORDS' keys."""
    if participant.response_status == "submitted":
        return "submitted"  # sent: the conversation's submit step sets it, and only that
    if progress is not None and progress.state in HALTED:
        return progress.state
    begun = progress is not None and progress.step is not None
    return "in_progress" if begun or participant.response_status == "in_progress" else "not_started"


def answering_statuses(session: Session, participants: list[Participant]) -> dict[int, tuple]:
    """Participant id -> (status, their conversation's Progress or None)."""
    found = {
        progress.participant_id: progress
        for progress in session.execute(
            select(Progress).where(Progress.participant_id.in_([p.id for p in participants]))
        ).scalars()
    }
    return {p.id: (answering_status(p, found.get(p.id)), found.get(p.id)) for p in participants}


def shown_status(participant: Participant, status: str) -> str:
    """The status as the pages show it: someone taken off the conference before they
    answered anything is "removed", not "not started" (nobody is waiting for them)."""
    if participant.removed_at is not None and status == "not_started":
        return "removed"
    return status


def removed_iso(participant: Participant) -> str | None:
    """When they were taken off the conference, as the summary gives it (None: still on)."""
    return participant.removed_at.isoformat(timespec="seconds") if participant.removed_at else None


def taken_off_note(participant: Participant, status: str) -> str | None:
    """'Taken off this conference on 3 December; what they said before is kept', or None."""
    removed = removed_iso(participant)
    return wording.taken_off(removed, status != "not_started") if removed else None


# Whose report should reach the family before the conference (bot/agenda: the deadline).
REPORTING_ROLES = ("social_worker", "professional")


def reports_not_shared(session: Session, participants: list[Participant]) -> dict[int, Answer]:
    """Participant id -> their answer to "has your report reached the family?" (None: not
    answered yet), for each social worker and professional who has not said yes."""
    reporting = [p for p in participants if p.role in REPORTING_ROLES]
    said = {
        answer.participant_id: answer
        for answer in session.execute(
            select(Answer).where(
                Answer.participant_id.in_([p.id for p in reporting]),
                Answer.question_key == "report_shared",
                Answer.superseded_at.is_(None),
            )
        ).scalars()
    }
    return {
        p.id: said.get(p.id)
        for p in reporting
        if said.get(p.id) is None or said[p.id].choice != "yes"
    }
