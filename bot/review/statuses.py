"""Where each person is with their answers, as the chair's pages say it: not started, in
progress, paused, stopped or sent.

The stored `response_status` knows only not started, in progress and sent (it decides what
the family may read, and the approved record is hashed with it); whether someone paused or
stopped is their conversation's state (Progress), so the two are read together here.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.model.tables import Participant, Progress

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
