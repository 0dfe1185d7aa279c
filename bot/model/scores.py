"""Saving scores on each danger statement's 0-10 scale: the number, why, and what would move
it up one point. A score is never overwritten: a change makes a new version, the old stays."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.model.audit import record
from bot.model.tables import DangerStatement, Participant, PreviousScore, Score, utcnow

PARTS = ("score", "reason", "next_point")


def current_score(
    session: Session, participant: Participant, statement: DangerStatement
) -> Score | None:
    return session.execute(
        select(Score).where(
            Score.participant_id == participant.id,
            Score.danger_statement_id == statement.id,
            Score.superseded_at.is_(None),
        )
    ).scalar_one_or_none()


def current_scores(session: Session, participant: Participant) -> list[Score]:
    return list(
        session.execute(
            select(Score)
            .where(Score.participant_id == participant.id, Score.superseded_at.is_(None))
            .order_by(Score.id)
        ).scalars()
    )


def previous_score(
    session: Session, participant: Participant, statement: DangerStatement
) -> int | None:
    """The score this participant gave at the last conference, if the file says."""
    return session.execute(
        select(PreviousScore.score).where(
            PreviousScore.participant_id == participant.id,
            PreviousScore.danger_statement_id == statement.id,
        )
    ).scalar_one_or_none()


def save_score(
    session: Session, participant: Participant, statement: DangerStatement, actor: str, **values
) -> Score:
    """Set a score's number, reason or next point. Filling in a part not yet given completes
    the current version; changing a part already given makes a new version."""
    current = current_score(session, participant, statement)
    if current is None:
        current = Score(danger_statement=statement, participant=participant, **values)
        session.add(current)
        session.flush()
        record(session, actor, "score_saved", "score", current.id)
        return current
    if all(getattr(current, name) is None for name in values):
        for name, value in values.items():
            setattr(current, name, value)
        return current
    fields = {name: getattr(current, name) for name in PARTS}
    revised = Score(danger_statement=statement, participant=participant, **{**fields, **values})
    current.superseded_at = utcnow()
    session.add(revised)
    session.flush()
    record(session, actor, "score_revised", "score", revised.id, replaces=current.id)
    return revised
