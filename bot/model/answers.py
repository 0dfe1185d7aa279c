"""Saving answers. An answer is never overwritten: a change adds a new version."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.model.audit import record
from bot.model.tables import Answer, Participant, utcnow

# Answer.choice of an answer of none: a button like "None known" or "Nothing to add" (or
# the same typed). Stored for the chair (no column), in the button's words.
NONE_GIVEN = "none"


def save_answer(
    session: Session,
    participant: Participant,
    column: str,
    question_key: str,
    text: str,
    children: list[str] | None = None,
    share_with: str = "everyone",
) -> Answer:
    answer = Answer(
        participant=participant,
        column_key=column,
        question_key=question_key,
        text=text,
        children=list(children or participant.children),
        share_with=share_with,
    )
    session.add(answer)
    if participant.first_answered_at is None:
        participant.first_answered_at = utcnow()
    if participant.response_status == "not_started":
        participant.response_status = "in_progress"
    session.flush()
    record(session, participant.actor, "answer_saved", "answer", answer.id)
    return answer


def revise_answer(session: Session, answer: Answer, text: str, actor: str) -> Answer:
    """Replace an answer's text with a new version; the old one is kept, marked superseded."""
    revised = Answer(
        participant=answer.participant,
        column_key=answer.column_key,
        question_key=answer.question_key,
        text=text,
        children=list(answer.children),
        share_with=answer.share_with,
    )
    session.add(revised)
    session.flush()
    answer.superseded_at = utcnow()
    answer.superseded_by_id = revised.id
    record(session, actor, "answer_revised", "answer", revised.id, replaces=answer.id)
    return revised


def current_answers(session: Session, participant: Participant, question_keys=None) -> list[Answer]:
    """The newest version of each answer, in the order given; optionally only these questions."""
    query = select(Answer).where(
        Answer.participant_id == participant.id, Answer.superseded_at.is_(None)
    )
    if question_keys is not None:
        query = query.where(Answer.question_key.in_(list(question_keys)))
    return list(session.execute(query.order_by(Answer.id)).scalars())


def retire_answer(session: Session, answer: Answer, actor: str, by: Answer | None = None) -> None:
    """An answer that no longer stands (a "None known" answered after all): kept, superseded."""
    answer.superseded_at = utcnow()
    answer.superseded_by_id = by.id if by is not None else None
    record(session, actor, "answer_retired", "answer", answer.id)
