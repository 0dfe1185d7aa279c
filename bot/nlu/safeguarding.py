"""Safeguarding first: every message is checked before any policy sees it.

Runs after the other rules, so it overrules every reading: an immediate danger becomes the
`disclosure` intent (a rule then interrupts whatever form is active); a concern is
marked with a `safeguarding` entity and the conversation goes on. The trained classifier
is a second signal: its `disclosure` guess alone marks a concern, never an interrupt
(bot/nlu/answers.py then makes the message an answer).
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.rule_component import RuleComponent
from bot.safeguarding.detector import CONCERN, IMMEDIATE, assess

DISCLOSURE_INTENT = "disclosure"
ENTITY = "safeguarding"
CLASSIFIER_CONFIDENCE = 0.7


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafeguardingDetector(RuleComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            finding = assess(text)
            tier = finding.tier if finding else None
            guessed = message.get(INTENT) or {}
            confident = guessed.get("confidence", 0) >= CLASSIFIER_CONFIDENCE
            if guessed.get("name") == DISCLOSURE_INTENT and confident and tier is None:
                tier = CONCERN  # the classifier alone never interrupts
            if tier is None:
                continue
            if tier == IMMEDIATE:
                self.set_intent(message, DISCLOSURE_INTENT)
            entity = {"entity": ENTITY, "value": tier, "start": 0, "end": len(text),
                      "extractor": self.__class__.__name__}  # fmt: skip
            message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages
