"""The action server's one connection to the application database, and the conversation
of whoever is chatting."""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from rasa_sdk.executor import CollectingDispatcher

from bot.agenda.loader import load_agenda
from bot.dialogue.conversation import Conversation
from bot.dialogue.replies import Reply
from bot.model.database import Database
from bot.model.invites import participant_for_sender
from bot.safeguarding.detector import Finding, assess
from bot.settings import load_settings
from bot.typed import as_typed


@lru_cache(maxsize=1)
def database() -> Database:
    return Database(load_settings())


@contextmanager
def conversation_of(sender_id: str, find=participant_for_sender) -> Iterator[Conversation | None]:
    """The sender's conversation, in one transaction committed when the block ends; `find`
    (session, sender) says whose it is (joining redeems a code there first)."""
    with database().session() as session, session.begin():
        participant = find(session, sender_id)
        yield Conversation(session, participant, load_agenda()) if participant else None


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
