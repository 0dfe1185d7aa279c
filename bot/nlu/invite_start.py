"""Recognises `/start CODE` (and a bare invite code) before any trained guess.

Rasa reads a message starting with `/` as `/intent{entities}`; `/start CODE` is not
that shape, so without this component the code would go to the classifier as words.
"""

from __future__ import annotations

import re
from typing import List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.rule_component import RuleComponent

START_INTENT = "start"
CODE_ENTITY = "invite_code"
# Telegram sends "/start CODE" from a deep link; people may also paste the code alone.
START_COMMAND = re.compile(r"^\s*/start(?:@\w+)?(?:\s+(?P<code>\S+))?\s*$", re.IGNORECASE)
BARE_CODE = re.compile(r"^\s*(?P<code>[A-Za-z0-9_-]{22})\s*$")  # token_urlsafe(16)


def find_start(text: str) -> tuple[bool, Optional[str]]:
    """(is this a start message?, the invite code if one was given)."""
    match = START_COMMAND.match(text) or BARE_CODE.match(text)
    if not match:
        return False, None
    return True, match.group("code")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InviteStartRecognizer(RuleComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            is_start, code = find_start(text)
            if not is_start:
                continue
            self.set_intent(message, START_INTENT)
            if code:
                entity = {
                    "entity": CODE_ENTITY,
                    "value": code,
                    "start": text.index(code),
                    "end": text.index(code) + len(code),
                    "extractor": self.__class__.__name__,
                }
                message.set(ENTITIES, [entity], add_to_output=True)
        return messages
