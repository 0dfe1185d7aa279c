"""Joining the chat: `/start CODE` binds the sender to an invite, then the welcome."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import vocabulary, wording
from bot.actions.store import database
from bot.model.invites import Redemption, participant_for_sender, redeem
from bot.nlu.invite_start import CODE_ENTITY

REFUSALS = {
    Redemption.UNKNOWN: "utter_invite_unknown",
    Redemption.USED: "utter_invite_used",
    Redemption.EXPIRED: "utter_invite_expired",
}


def _about(participant) -> dict:
    conference = participant.conference
    return {
        "name": wording.greeting_name(participant.name, vocabulary.AUDIENCES[participant.role]),
        "date": wording.conference_date(conference.date),
        "local_authority": conference.local_authority,
    }


class ActionStartSession(Action):
    def name(self) -> Text:
        return "action_start_session"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        code = next(tracker.get_latest_entity_values(CODE_ENTITY), None)
        with database().session() as session, session.begin():
            if code is None:
                participant = participant_for_sender(session, tracker.sender_id)
                if participant is None:
                    dispatcher.utter_message(response="utter_invite_missing")
                else:
                    dispatcher.utter_message(response="utter_welcome_back", **_about(participant))
                return []
            result = redeem(session, code, tracker.sender_id)
            if result.outcome in REFUSALS:
                dispatcher.utter_message(response=REFUSALS[result.outcome])
            elif result.outcome is Redemption.RETURNING:
                dispatcher.utter_message(
                    response="utter_welcome_back", **_about(result.participant)
                )
            else:
                audience = vocabulary.AUDIENCES[result.participant.role]
                dispatcher.utter_message(
                    response=f"utter_welcome_{audience}", **_about(result.participant)
                )
        return []


class ActionGreet(Action):
    def name(self) -> Text:
        return "action_greet"

    async def run(self, dispatcher, tracker, domain):
        with database().session() as session:
            participant = participant_for_sender(session, tracker.sender_id)
            if participant is None:
                dispatcher.utter_message(response="utter_invite_missing")
            else:
                dispatcher.utter_message(response="utter_welcome_back", **_about(participant))
        return []


class ActionNotUnderstood(Action):
    """Someone who has not joined yet is told how to; others are pointed to help."""

    def name(self) -> Text:
        return "action_not_understood"

    async def run(self, dispatcher, tracker, domain):
        with database().session() as session:
            joined = participant_for_sender(session, tracker.sender_id) is not None
        dispatcher.utter_message(
            response="utter_not_understood" if joined else "utter_invite_missing"
        )
        return []
