"""Commands (back, skip, pause, help, stop) are whole messages, never guesses.

Only a message that is one of the agenda's command phrases is a command; anything else a
classifier might take for one ("I want the shouting to stop") becomes an answer
(`inform`), so a real answer is never swallowed. The phrases live in the agenda file and
are read when the model loads: changing them needs no retraining.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.agenda.loader import COMMANDS, load_agenda

ANSWER_INTENT = "inform"
# Rasa reserves the intent `back` (it undoes the last message), so ours is `go_back`.
INTENTS = {command: command for command in COMMANDS} | {"back": "go_back"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CommandRecognizer(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CommandRecognizer":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        agenda = load_agenda()
        for message in messages:
            command = agenda.command(message.get(TEXT) or "")
            guessed = (message.get(INTENT) or {}).get("name")
            if command:
                intent = {"name": INTENTS[command], "confidence": 1.0}
            elif guessed in INTENTS.values():
                intent = {"name": ANSWER_INTENT, "confidence": 1.0}
            else:
                continue
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        return messages
