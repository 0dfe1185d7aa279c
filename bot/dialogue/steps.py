"""A participant's agenda as a flat list of steps: the questions for their role, one per
danger statement where a question is asked per statement."""

from __future__ import annotations

from dataclasses import dataclass

from bot.agenda.loader import Agenda, Question
from bot.model.tables import DangerStatement, Participant


@dataclass(frozen=True)
class Step:
    question: Question
    danger_statement: DangerStatement | None = None

    @property
    def id(self) -> str:
        if self.danger_statement is None:
            return self.question.key
        return f"{self.question.key}@{self.danger_statement.key}"

    @property
    def kind(self) -> str:
        return self.question.kind


def concerns(statement: DangerStatement, participant: Participant) -> bool:
    """A danger statement concerns a participant who speaks about any of its children."""
    return not participant.children or bool(set(statement.children) & set(participant.children))


def build_steps(agenda: Agenda, participant: Participant, band: str | None = None) -> list[Step]:
    conference = participant.conference
    steps = []
    for question in agenda.questions_for(participant.role, conference.type, band):
        if question.per == "danger_statement":
            statements = [s for s in conference.danger_statements if concerns(s, participant)]
            if participant.role == "young_person":
                statements = _for_a_child(statements)
            steps += [Step(question, statement) for statement in statements]
        else:
            steps.append(Step(question))
    return steps


def _for_a_child(statements: list) -> list:
    """A child scores each statement the social worker worded for them; the ones without
    such words would all ask the same "how safe do you feel?", so that is asked once."""
    worded = [s for s in statements if s.young_danger]
    plain = [s for s in statements if not s.young_danger]
    return sorted(worded + plain[:1], key=lambda s: s.position)
