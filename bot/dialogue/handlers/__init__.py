"""One handler per kind of step: how it is asked, what a reply to it does, and what back
and skip mean inside it. The conversation (bot/dialogue/conversation.py) picks the handler
by the step's kind; the agenda decides which steps there are."""

from __future__ import annotations

from bot.dialogue.handlers.check import CheckStep
from bot.dialogue.handlers.choice import ChoiceStep
from bot.dialogue.handlers.score import ScoreStep
from bot.dialogue.handlers.text import TextStep

HANDLERS = {
    "text": TextStep(),
    "choice": ChoiceStep(),
    "consent": ChoiceStep(),
    "share": ChoiceStep(),
    "score": ScoreStep(),
    "check": CheckStep(),
}


def handler_for(kind: str):
    return HANDLERS[kind]
