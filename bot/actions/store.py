"""The action server's one connection to the application database, the conversation of
whoever is chatting, and what their message came with."""

from __future__ import annotations

from functools import lru_cache

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from bot.agenda.loader import load_agenda
from bot.dialogue.conversation import Conversation
from bot.dialogue.replies import Reply
from bot.model.database import Database
from bot.model.invites import participant_for_sender
from bot.retries import message_id
from bot.safeguarding.detector import Finding, assess
from bot.settings import load_settings
from bot.typed import as_typed


@lru_cache(maxsize=1)
def database() -> Database:
    return Database(load_settings())


def conversation_in(
    session: Session, sender_id: str, find=participant_for_sender
) -> Conversation | None:
    """The sender's conversation, in the turn's transaction; `find` (session, sender) says
    whose it is (joining redeems a code there first)."""
    participant = find(session, sender_id)
    return Conversation(session, participant, load_agenda()) if participant else None


def send(dispatcher: CollectingDispatcher, replies: list[Reply]) -> None:
    for reply in replies:
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)


def typed_text(tracker) -> str:
    """The latest message as the person typed it (our channel's mark taken off)."""
    return as_typed(tracker.latest_message.get("text") or "")


def latest_finding(tracker) -> Finding | None:
    """What the safeguarding detector finds in the latest message, read again here from
    the words as typed, whatever the NLU made of them."""
    return assess(typed_text(tracker))


def message_id_of(tracker) -> str | None:
    """The id the latest message came with (our REST channel puts it in its metadata)."""
    metadata = tracker.latest_message.get("metadata") or {}
    try:
        return message_id(metadata.get("message_id"))
    except ValueError:
        return None  # the channel refuses these: not from it
