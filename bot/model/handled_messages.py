"""Messages handled once. A message that carries an id (bot/retries.py) is recorded with
the replies the bot gave, in the transaction that stored its answer: sent again after a
failed request, it gets those replies and nothing is done twice. The sender and the id are
kept only as one hash; the replies (the bot's words, which may echo the person's) are
encrypted. Records go after a day: a retry comes within minutes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from sqlalchemy import Column, DateTime, String, delete, exc
from sqlalchemy.orm import Session

from bot.model.crypto import EncryptedText
from bot.model.tables import Base, utcnow

KEEP = timedelta(days=1)
PRUNE_ONE_IN_32 = 8  # of 256: the first byte of a record's key
# The database did not answer (refused, gone, locked too long): nothing was saved, and the
# message may be sent again.
DATABASE_DOWN = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError)


class HandledMessage(Base):
    __tablename__ = "handled_message"

    key_hash = Column(String(64), primary_key=True)  # sha256 of the sender and the message id
    handled_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    outcome = Column(EncryptedText, nullable=False)  # JSON: the replies given, and more


def _key(sender: str, message_id: str) -> str:
    return hashlib.sha256(f"{sender}\0{message_id}".encode()).hexdigest()


def handled(session: Session, sender: str, message_id: str) -> dict | None:
    """What was recorded when this sender's message with this id was handled, or None."""
    found = session.get(HandledMessage, _key(sender, message_id))
    return json.loads(found.outcome) if found else None


def record(session: Session, sender: str, message_id: str, outcome: dict) -> None:
    """Kept with the transaction it is part of; a second record of the same message fails
    there (IntegrityError at the flush), so only one of two racing handlings commits."""
    key = _key(sender, message_id)
    if int(key[:2], 16) < PRUNE_ONE_IN_32:  # now and then, so turns seldom wait on each other
        session.execute(delete(HandledMessage).where(HandledMessage.handled_at < utcnow() - KEEP))
    session.add(HandledMessage(key_hash=key, outcome=json.dumps(outcome)))
    session.flush()
