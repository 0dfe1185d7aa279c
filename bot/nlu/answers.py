"""Nothing trained takes an answer away.

Runs last. Inside a conversation only our rules may decide that a message is not an answer:
`/start CODE` or a bare invite code, a whole-message command from the agenda, "you
misunderstood". Any other message ("I started a parenting
course", "hello") becomes `inform`, whatever a trained classifier might guess if one were
added: an answer to the current question, or, from someone who has not joined, a message
that gets the invite explanation.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.rule_component import RuleComponent

ANSWER_INTENT = "inform"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class EverythingElseIsAnAnswer(RuleComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not self.decided_by_rule(message):
                self.set_intent(message, ANSWER_INTENT, by_rule=False)
        return messages
