"""Every message is one turn, and every turn is one action.

Rasa's rules give each intent its action (data/rules/); the action does what the message
asks, then asks the question the participant is now at. Progress lives in our tables, so
Rasa needs no memory of the conversation: each action ends by starting Rasa's history
afresh (SessionStarted, after which Rasa listens), and the cost of a turn stays the same at
the 400th message as at the first (issue 15: Rasa replayed its whole history every turn).

The one thing Rasa keeps is the `joined` slot: this chat has been with us since Rasa's
history began. A conversation that is active in our tables, but not joined here, was lost
(a restart, a pruned tracker): the next message there is not taken as an answer to a
question the person may not have seen, but kept for the chair, and the question asked.
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import IntegrityError

from bot.actions.store import (
    conversation_in,
    database,
    latest_finding,
    message_id_of,
    send,
    typed_text,
)
from bot.dialogue import chair_chat, safety
from bot.dialogue.conversation import Conversation
from bot.model.handled_messages import DATABASE_DOWN, handled, record
from bot.retries import CANT_SAVE
from bot.safeguarding.alerts import raise_unjoined_alert
from bot.safeguarding.detector import Finding
from bot.safeguarding.judge import INTERRUPT, Context, judge
from bot.safeguarding.script import script_for

logger = logging.getLogger(__name__)


def fresh_history(joined: bool) -> list[dict]:
    """Rasa starts its history afresh (and so listens next), remembering only `joined`."""
    return [SessionStarted(), SlotSet("joined", joined)]


def carry_on(conversation: Conversation, text: str | None, finding: Finding | None):
    """A message from someone not at a question (paused, stopped, lost, or sent already):
    help first if it needs it, otherwise back to where they were, or added for the chair."""
    helped = safety.elsewhere(conversation, text, finding)
    if helped is not None:
        return helped  # the words kept; a pause stays a pause
    if not conversation.steps:
        if conversation.participant.role == "chair":
            return chair_chat.replies(conversation, text, database().settings.public_url)
        return [conversation.message("no_questions")]
    if conversation.finished:
        return conversation.add_late(text) if text else [conversation.message("already_sent")]
    lost = conversation.at_a_question  # in our tables, though not in this chat's Rasa history
    replies = []
    if text and lost and conversation.substantive(text):
        # Typed where we lost track: kept for the chair, and the question asked again.
        replies.append(conversation.keep_note(conversation.step, text))
    return replies + conversation.resume()


class Turn(Action):
    """One turn: `at_question` when the participant is at a question in this chat,
    `elsewhere` when not (default: carry on), `no_conversation` for a sender who has not
    joined. A message sent again with the id it came with gets the replies it had, and
    nothing is done twice (bot/model/handled_messages.py); when the database does not
    answer, the person is told so and nothing changes."""

    action_name = ""
    leaves_check = False  # back and skip at the check leave it, not the question behind it

    def name(self) -> str:
        return self.action_name

    def conversation(self, session, dispatcher, tracker: Tracker):
        return conversation_in(session, tracker.sender_id)

    def at_question(self, conversation: Conversation, text: str, finding) -> list:
        raise NotImplementedError

    def elsewhere(self, conversation: Conversation, text: str, finding) -> list:
        return carry_on(conversation, text, finding)

    def no_conversation(self, session, dispatcher, tracker: Tracker, text: str, finding) -> None:
        if judge(finding, Context()) == INTERRUPT:  # recorded, and emailed to the duty inbox
            raise_unjoined_alert(session, finding, text, database().settings.duty_email)
            send(dispatcher, script_for(None, None))
        else:
            dispatcher.utter_message(response="utter_invite_missing")

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> list:
        message_id = message_id_of(tracker)
        try:
            try:
                return self.turn(dispatcher, tracker, message_id)
            except IntegrityError:
                if message_id is None:
                    raise
                # The same message, handled meanwhile by another call (a retry while the
                # first was still on its way): its replies now, nothing done twice.
                dispatcher.messages.clear()
                return self.turn(dispatcher, tracker, message_id)
        except DATABASE_DOWN as error:
            logger.warning("The database did not answer: %s", type(error).__name__)
            dispatcher.messages.clear()
            dispatcher.utter_message(text=CANT_SAVE)
            return fresh_history(tracker.get_slot("joined") is True)

    def turn(self, dispatcher: CollectingDispatcher, tracker: Tracker, message_id) -> list:
        """The turn in one transaction, with the record of its message id when it has one."""
        sender = tracker.sender_id
        with database().session() as session, session.begin():
            done = handled(session, sender, message_id) if message_id else None
            if done is not None:
                dispatcher.messages.extend(done["replies"])
                return fresh_history(done["joined"])
            joined = self.take(session, dispatcher, tracker)
            if message_id:
                outcome = {"replies": dispatcher.messages, "joined": joined}
                record(session, sender, message_id, outcome)
        return fresh_history(joined)

    def take(self, session, dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        """What the message asks, and the question now; whether the sender has joined."""
        text = typed_text(tracker)
        finding = latest_finding(tracker)
        conversation = self.conversation(session, dispatcher, tracker)
        if conversation is None:
            self.no_conversation(session, dispatcher, tracker, text, finding)
            return False
        here = tracker.get_slot("joined") is True and conversation.at_a_question
        take = self.at_question if here else self.elsewhere
        if here and safety.reads_as_check_reply(conversation, text):
            take = safety.take  # "not now" at the check is its "no", not a pause
        elif here and conversation.data.safety_check and self.leaves_check:
            take = safety.leave_check
        replies = take(conversation, text, finding)
        send(dispatcher, replies + conversation.next_question())
        return True
