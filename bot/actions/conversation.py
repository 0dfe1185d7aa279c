"""The one form that asks every agenda, and the commands that work at any question."""

from __future__ import annotations

from typing import Any, Dict, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.store import (
    conversation_of,
    is_immediate,
    latest_finding,
    note_concern,
    send,
    typed_text,
)
from bot.typed import as_typed

DONE = "done"  # the `answer` slot's value once the agenda is finished


class ValidateConferenceForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_conference_form"

    async def validate_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Save the answer (committed before anything else is asked) and move on."""
        with conversation_of(tracker.sender_id) as conversation:
            if conversation is None:
                return {"answer": DONE}
            text = as_typed(str(value))
            finding = latest_finding(tracker)
            if is_immediate(finding):
                # Danger in words that reached us as an answer (Rasa's "/intent" syntax
                # is read after our detector): help first, and the question waits.
                send(dispatcher, conversation.safeguard(text, finding))
                return {"answer": None}
            note_concern(conversation, text, finding)
            if conversation.finished:  # sent already: anything more is added for the chair
                send(dispatcher, conversation.add_late(text))
            else:
                send(dispatcher, conversation.answer(text))
            finished = conversation.finished
        return {"answer": DONE if finished else None}


class ActionAskAnswer(Action):
    """Asks whatever the participant's progress says comes next."""

    def name(self) -> Text:
        return "action_ask_answer"

    async def run(self, dispatcher, tracker, domain):
        with conversation_of(tracker.sender_id) as conversation:
            if conversation is not None:
                send(dispatcher, conversation.ask())
        return []


class CommandAction(Action):
    """back, skip, help, pause, stop: each moves the progress, then the form asks again."""

    command = ""
    action_name = ""
    leaves_form = False

    def name(self) -> Text:
        return self.action_name or f"action_{self.command}"

    async def run(self, dispatcher, tracker, domain):
        with conversation_of(tracker.sender_id) as conversation:
            if conversation is None:
                dispatcher.utter_message(response="utter_invite_missing")
                return []
            send(dispatcher, getattr(conversation, self.command)())
        if self.leaves_form:
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        return []


class ActionBack(CommandAction):
    command = "back"
    action_name = "action_go_back"  # not Rasa's own action_back, which undoes a message


class ActionSkip(CommandAction):
    command = "skip"


class ActionHelp(CommandAction):
    command = "help"


class ActionPause(CommandAction):
    command = "pause"
    leaves_form = True


class ActionStop(CommandAction):
    command = "stop"
    leaves_form = True


class ActionMisunderstood(Action):
    """ "You misunderstood": noted beside the alert, which is never deleted."""

    def name(self) -> Text:
        return "action_misunderstood"

    async def run(self, dispatcher, tracker, domain):
        with conversation_of(tracker.sender_id) as conversation:
            if conversation is not None:
                send(dispatcher, conversation.misunderstood(typed_text(tracker)))
        return []
