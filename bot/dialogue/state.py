"""Where a conversation is: the one state machine every role's agenda runs on.

A participant's progress is a step of their agenda, a phase within that step, and a little
data the phase needs. The phases and the data have names here, once; the steps' handlers
(bot/dialogue/handlers/) move between them.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, fields


class State(str, enum.Enum):
    """The conversation as a whole."""

    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"
    DONE = "done"


class Phase(str, enum.Enum):
    """Where within the current step."""

    ASK = "ask"  # the step's own question
    CHILDREN = "children"  # "Is this about Ava or Leo?" after an answer
    MORE = "more"  # "Is there anything else?" at a question that repeats
    REASON = "reason"  # a score's "Why did you choose 6?"
    NEXT_POINT = "next_point"  # a score's "What would move it up one point?"
    WHICH = "which"  # the read-back: which answer to change
    CHANGE = "change"  # the read-back: the new words for that answer


@dataclass
class PhaseData:
    """What a phase needs to remember between messages (stored as JSON in Progress.data)."""

    revising: bool = False  # came back to change an earlier answer
    answer_id: int | None = None  # CHILDREN: the answer being placed
    score_id: int | None = None  # REASON, NEXT_POINT: the score being explained
    items: list = field(default_factory=list)  # read-back: [kind, record id] per number
    change: list | None = None  # CHANGE: [kind, record id]
    again: str | None = None  # asked again after a reply that matched nothing: the hint
    misses: int = 0  # replies in a row that matched no option (a choice, a score)
    stop_asked: bool = False  # a child said stop: asked once whether they mean it
    safety_check: int | None = None  # "Are you safe right now?" waits for a reply: the alert
    stuck: bool = False  # "I don't know what to say" was given an example at this question
    # Which child: a parent's choice at "Is this about Ava or Leo?", kept for the rest of
    # that section of the agenda (section -> child keys). Carried from step to step.
    about: dict = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict | None) -> "PhaseData":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def to_json(self) -> dict:
        defaults = PhaseData()
        return {k: v for k, v in asdict(self).items() if v != getattr(defaults, k)}
