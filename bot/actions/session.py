"""Joining: `/start CODE` (which reaches us as the code's hash) binds the sender to an
invite, then the conversation carries on where it was. A chat that already belongs to
someone is refused another's invite, kindly, and carries on as it was."""

from __future__ import annotations

from rasa_sdk import Action

from bot.actions.store import conversation_in
from bot.actions.turn import Turn, carry_on, fresh_history
from bot.codes import CODE_ENTITY
from bot.model.invites import Redemption, participant_for_sender, redeem

REFUSALS = {
    Redemption.UNKNOWN: "utter_invite_unknown",
    Redemption.USED: "utter_invite_used",
    Redemption.EXPIRED: "utter_invite_expired",
    Redemption.OTHER_PERSON: "utter_invite_other_person",
}


def code_in(tracker) -> str | None:
    return next(tracker.get_latest_entity_values(CODE_ENTITY), None)


class ActionStartSession(Turn):
    action_name = "action_start_session"

    def conversation(self, session, dispatcher, tracker):
        code_hash = code_in(tracker)
        if code_hash is None:  # "/start" alone: where this chat was
            return conversation_in(session, tracker.sender_id)

        def redeemed(session, sender):
            result = redeem(session, code_hash, sender)
            if result.outcome in REFUSALS:
                dispatcher.utter_message(response=REFUSALS[result.outcome])
            # A refused code from a chat that has joined: that chat's own conversation goes on.
            return result.participant or participant_for_sender(session, sender)

        return conversation_in(session, tracker.sender_id, redeemed)

    def at_question(self, conversation, text, finding):
        return carry_on(conversation, None, None)

    elsewhere = at_question

    def no_conversation(self, session, dispatcher, tracker, text, finding) -> None:
        if code_in(tracker) is None:  # a refused code has had its answer
            dispatcher.utter_message(response="utter_invite_missing")


class ActionNotUnderstood(Action):
    """Rasa's fallback, if no rule applies: nothing is stored, Rasa's history starts afresh."""

    def name(self) -> str:
        return "action_not_understood"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(response="utter_not_understood")
        return fresh_history(tracker.get_slot("joined") is True)
