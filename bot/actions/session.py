"""Joining and coming back: `/start CODE` (which reaches us as the code's hash) binds the
sender to an invite; any later message from someone outside the form carries on where
they were. A chat that already belongs to someone is refused another's invite, kindly,
and carries on as it was."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.store import (
    conversation_of,
    database,
    is_immediate,
    latest_finding,
    note_concern,
    send,
    typed_text,
)
from bot.agenda.loader import load_agenda
from bot.codes import CODE_ENTITY
from bot.dialogue.conversation import Conversation
from bot.dialogue.state import State
from bot.model.invites import Redemption, redeem
from bot.safeguarding.alerts import raise_unjoined_alert
from bot.safeguarding.script import script_for

REFUSALS = {
    Redemption.UNKNOWN: "utter_invite_unknown",
    Redemption.USED: "utter_invite_used",
    Redemption.EXPIRED: "utter_invite_expired",
    Redemption.OTHER_PERSON: "utter_invite_other_person",
}


def carry_on(conversation: Conversation | None, dispatcher, text: str | None) -> list:
    """Back into the conversation if there is one to carry on; `joined` tells the rules."""
    if conversation is None:
        dispatcher.utter_message(response="utter_invite_missing")
        return [SlotSet("joined", False)]
    if not conversation.steps:
        send(dispatcher, [conversation.message("no_questions")])
        return [SlotSet("joined", False)]
    if conversation.finished:
        if text:
            send(dispatcher, conversation.add_late(text))
        else:
            send(dispatcher, [conversation.message("already_sent")])
        return [SlotSet("joined", False)]
    lost = conversation.state is State.ACTIVE and conversation.step is not None
    if text and lost and conversation.substantive(text):
        # The conversation was lost (not paused): what was typed is kept for the chair.
        conversation.keep_note(conversation.step, text)
    send(dispatcher, conversation.resume())
    return [SlotSet("joined", True)]


def alert_the_duty_inbox(finding, text: str) -> None:
    """A disclosure from someone not joined is recorded (and emailed to the duty inbox)."""
    with database().session() as session, session.begin():
        raise_unjoined_alert(session, finding, text, database().settings.duty_email)


class ActionStartSession(Action):
    def name(self) -> Text:
        return "action_start_session"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        code_hash = next(tracker.get_latest_entity_values(CODE_ENTITY), None)
        if code_hash is None:
            with conversation_of(tracker.sender_id) as conversation:
                return carry_on(conversation, dispatcher, None)
        with database().session() as session, session.begin():
            result = redeem(session, code_hash, tracker.sender_id)
            if result.outcome in REFUSALS:
                dispatcher.utter_message(response=REFUSALS[result.outcome])
            if result.participant is None:
                return [SlotSet("joined", False)]
            conversation = Conversation(session, result.participant, load_agenda())
            return carry_on(conversation, dispatcher, None)


class ActionContinue(Action):
    """A message outside the form: resume, add after sending, or explain how to start."""

    def name(self) -> Text:
        return "action_continue"

    async def run(self, dispatcher, tracker, domain):
        text = typed_text(tracker)
        finding = latest_finding(tracker)
        with conversation_of(tracker.sender_id) as conversation:
            if is_immediate(finding):  # came as "/inform ..."
                if conversation is None:
                    alert_the_duty_inbox(finding, text)
                    send(dispatcher, script_for(None, None))
                    return [SlotSet("joined", False)]
                send(dispatcher, conversation.safeguard(text, finding))
                return carry_on(conversation, dispatcher, None)  # the words stay on the alert
            note_concern(conversation, text, finding)
            return carry_on(conversation, dispatcher, text)


class ActionSafeguarding(Action):
    """Help first: the script for this person, the alert recorded; the question waits."""

    def name(self) -> Text:
        return "action_safeguarding"

    async def run(self, dispatcher, tracker, domain):
        text = typed_text(tracker)
        finding = latest_finding(tracker)
        with conversation_of(tracker.sender_id) as conversation:
            if not is_immediate(finding):  # not a disclosure after all
                note_concern(conversation, text, finding)
                if conversation is not None and conversation.state is State.ACTIVE:
                    send(dispatcher, conversation.answer(text))
                    return []
                return carry_on(conversation, dispatcher, text)
            if conversation is not None:
                send(dispatcher, conversation.safeguard(text, finding))
                return []
        alert_the_duty_inbox(finding, text)
        send(dispatcher, script_for(None, None))
        return []


class ActionNotUnderstood(Action):
    def name(self) -> Text:
        return "action_not_understood"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(response="utter_not_understood")
        return []
