"""What our rule-based NLU components share: nothing to train, and overruling the intent."""

from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

# Set on a message whose intent a rule decided; any other is left for answers.py.
DECIDED_BY_RULE = "intent_decided_by_rule"


class RuleComponent(GraphComponent):
    """A component that decides by rules (nothing in the pipeline is trained)."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RuleComponent":
        return cls()

    @staticmethod
    def set_intent(message: Message, name: str, by_rule: bool = True) -> None:
        """Overrule any guess: this intent, certain."""
        intent = {"name": name, "confidence": 1.0}
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        message.set(DECIDED_BY_RULE, by_rule)

    @staticmethod
    def decided_by_rule(message: Message) -> bool:
        return bool(message.get(DECIDED_BY_RULE))
