"""Safeguarding first: every message is checked before any policy sees it.

Runs after the other rules, so it overrules every reading: an immediate danger becomes the
`disclosure` intent (its rule interrupts whatever question is asked); a concern is
marked with a `safeguarding` entity and the conversation goes on (bot/nlu/answers.py then
makes the message an answer). The detector has its own two signals (harm concepts and a
classifier of ours); Rasa's intent classifier has no say.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.rule_component import RuleComponent
from bot.safeguarding.detector import IMMEDIATE, assess, warm

DISCLOSURE_INTENT = "disclosure"
ENTITY = "safeguarding"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafeguardingDetector(RuleComponent):
    @classmethod
    def load(cls, *args, **kwargs) -> "SafeguardingDetector":
        warm()  # when the server loads the model, before anyone writes
        return super().load(*args, **kwargs)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            finding = assess(text)
            if finding is None:
                continue
            tier = finding.tier
            if tier == IMMEDIATE:
                self.set_intent(message, DISCLOSURE_INTENT)
            entity = {"entity": ENTITY, "value": tier, "start": 0, "end": len(text),
                      "extractor": self.__class__.__name__}  # fmt: skip
            message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages
