"""Commands (back, skip, pause, help, stop, "you misunderstood") are whole messages, never
guesses: only a message that is one of the agenda's command phrases is a command, so "I
want the shouting to stop" is an answer. The phrases live in the agenda file and are read
when the model loads: changing them needs no retraining.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.agenda.loader import COMMANDS, load_agenda
from bot.nlu.rule_component import RuleComponent

# Rasa reserves the intent `back` (it undoes the last message), so ours is `go_back`.
INTENTS = {command: command for command in COMMANDS} | {"back": "go_back"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CommandRecognizer(RuleComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        agenda = load_agenda()
        for message in messages:
            command = agenda.command(message.get(TEXT) or "")
            if command:
                self.set_intent(message, INTENTS[command])
        return messages
