"""Scores on each danger statement's 0-10 scale: the number, why, and what would move
it up one point. A change to a score already given makes a new version; the old stays."""

from __future__ import annotations

from sqlalchemy import select

from bot.dialogue import parsing
from bot.dialogue.replies import Reply
from bot.dialogue.steps import Step
from bot.model.audit import record
from bot.model.tables import PreviousScore, Score, utcnow


def current_score(conv, step: Step) -> Score | None:
    return conv.session.execute(
        select(Score).where(
            Score.participant_id == conv.participant.id,
            Score.danger_statement_id == step.danger_statement.id,
            Score.superseded_at.is_(None),
        )
    ).scalar_one_or_none()


def answer_score(conv, step: Step, text: str) -> list[Reply]:
    phase = conv.progress.phase
    if phase in ("reason", "next_point"):
        change_score(conv, step, **{phase: text})
        if phase == "reason":
            revising = conv.progress.data.get("revising")
            conv.go(step, "next_point", score_id=current_score(conv, step).id, revising=revising)
        else:
            conv.advance()
        return []
    number = parsing.parse_score(text)
    if number is None or number == parsing.OUT_OF_RANGE:
        retry = conv.message("score_out_of_range" if number else "score_retry")
        return [retry] if parsing.normalise(text).isdigit() else [conv.keep_note(step, text), retry]
    score = change_score(conv, step, score=number)
    conv.go(step, "reason", score_id=score.id, revising=conv.progress.data.get("revising"))
    previous = conv.session.execute(
        select(PreviousScore.score).where(
            PreviousScore.participant_id == conv.participant.id,
            PreviousScore.danger_statement_id == step.danger_statement.id,
        )
    ).scalar_one_or_none()
    if previous is not None and "previous" in step.question.prompts:
        return [Reply(conv.say(step.question.prompts["previous"], step, previous=previous))]
    return []


def change_score(conv, step: Step, **values) -> Score:
    """Set a score's number, reason or next point; a change makes a new version."""
    current = current_score(conv, step)
    if current is None:
        current = Score(
            danger_statement=step.danger_statement, participant=conv.participant, **values
        )
        conv.session.add(current)
        conv.session.flush()
        record(
            conv.session,
            f"participant:{conv.participant.key}",
            "score_saved",
            "score",
            current.id,
        )
        return current
    if all(getattr(current, name) is None for name in values):
        for name, value in values.items():
            setattr(current, name, value)
        return current
    fields = {name: getattr(current, name) for name in ("score", "reason", "next_point")}
    revised = Score(
        danger_statement=step.danger_statement,
        participant=conv.participant,
        **{**fields, **values},
    )
    current.superseded_at = utcnow()
    conv.session.add(revised)
    conv.session.flush()
    record(
        conv.session,
        f"participant:{conv.participant.key}",
        "score_revised",
        "score",
        revised.id,
        replaces=current.id,
    )
    return revised
