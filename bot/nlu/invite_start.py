"""Recognises `/start CODE` (and a bare invite code).

Our REST channel already turns a start into `/start{"invite_code": HASH}`; this is for
any other way in (Rasa's own test stories). The entity is the code's hash, as from the
channel: the action server only ever redeems hashes.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.codes import CODE_ENTITY, START_INTENT, find_start, hash_code
from bot.nlu.rule_component import RuleComponent


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
                    "value": hash_code(code),
                    "start": text.index(code),
                    "end": text.index(code) + len(code),
                    "extractor": self.__class__.__name__,
                }
                message.set(ENTITIES, [entity], add_to_output=True)
        return messages
