"""Rasa's SQL tracker store with every event's data encrypted, and nothing kept for long.

Rasa keeps each conversation as events: what the person typed, what the bot said, the
slots. Stored by Rasa's own class they would sit in plain text beside our encrypted tables.
This class is Rasa's, with these changes: the `data` column is encrypted with our key
(bot/model/crypto.py). The sender, event type and time stay readable,
which is all Rasa queries by (intent and action names are left empty: they are in the
encrypted data). Rasa's own unencrypted `events` table, if an older version left one, is
dropped. Each turn starts Rasa's history afresh (bot/actions/turn.py), so once a turn is
saved the turns before it are deleted; conversations untouched for
COMPANION_TRACKER_RETENTION_DAYS are deleted whole. Progress lives in our own tables, and a
lost tracker resumes from there.

Named in endpoints.yml. Rasa falls back to an in-memory store, with only a warning, if this
module cannot be imported: tests/test_rasa_endpoints.py checks that it is this class.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from sqlalchemy.orm import declarative_base

from bot import log_privacy, rasa_fixes
from bot.model import crypto
from bot.settings import load_settings

logger = logging.getLogger(__name__)
PRUNE_EVERY_SECONDS = 3600
SETUP_LOCK = 0x636F6D70  # a PostgreSQL advisory lock's number: "comp"


def _sqlite_pragmas(connection, _record) -> None:
    """WAL, and no wait for the disk on every commit: this store holds only the current
    turn, and progress lives in the application's database (which waits)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class EncryptedSQLTrackerStore(SQLTrackerStore):
    Base = declarative_base()

    class SQLEvent(Base):
        __tablename__ = "encrypted_events"

        id = sa.Column(sa.Integer, primary_key=True)
        sender_id = sa.Column(sa.String(255), nullable=False, index=True)
        type_name = sa.Column(sa.String(255), nullable=False)
        timestamp = sa.Column(sa.Float, index=True)
        intent_name = sa.Column(sa.String(255))
        action_name = sa.Column(sa.String(255))
        data = sa.Column(crypto.EncryptedText)

        def __init__(self, **columns):
            # "chat X: disclosure, action_safeguarding" is itself something to protect;
            # Rasa queries by sender, type and time only, and the names are in `data`.
            columns.pop("intent_name", None)
            columns.pop("action_name", None)
            super().__init__(**columns)

    def __init__(self, *args, **kwargs) -> None:
        log_privacy.install()  # loaded in Rasa's process once its logging is set up
        rasa_fixes.install()
        settings = load_settings()
        crypto.configure(settings.encryption_key, settings.encryption_key_file)
        self.retention_seconds = settings.tracker_retention_days * 86400
        self._next_prune = 0.0
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # Rasa's engine opens a new connection for every read and write (NullPool).
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        with self._one_at_a_time():
            SESSIONS_INDEX.create(self.engine, checkfirst=True)
            self._drop_plain_events()
        self.prune()

    @contextmanager
    def _one_at_a_time(self):
        """Several Rasa servers starting together on one PostgreSQL database (`companion
        serve --replicas`) would each find the index missing and create it: one at a time.
        (Rasa's own table creation already tolerates the race.)"""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": SETUP_LOCK})
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": SETUP_LOCK})

    async def save(self, tracker) -> None:
        await super().save(tracker)
        self.forget_earlier_turns(tracker.sender_id)
        if time.monotonic() >= self._next_prune:
            self.prune()

    def forget_earlier_turns(self, sender_id: str) -> int:
        """Each turn starts Rasa's history afresh (bot/actions/turn.py) and Rasa reads only
        from the latest start: the events before it are kept by no one, so deleted."""
        events = self.SQLEvent
        latest_start = (
            sa.select(sa.func.max(events.timestamp))
            .where(events.sender_id == sender_id, events.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        return self._delete(events.sender_id == sender_id, events.timestamp < latest_start)

    def _delete(self, *where) -> int:
        with self.session_scope() as session:
            removed = session.query(self.SQLEvent).filter(*where).delete(synchronize_session=False)
            session.commit()
        return removed

    def _drop_plain_events(self) -> None:
        """Rasa's own table, from before this class, held every event in plain text."""
        if sa.inspect(self.engine).has_table("events"):
            with self.engine.begin() as connection:
                connection.execute(sa.text("DROP TABLE events"))
            logger.info("Dropped Rasa's unencrypted events table.")

    def prune(self) -> int:
        """Delete every conversation with no event within the retention time."""
        self._next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
        cutoff = time.time() - self.retention_seconds
        events = self.SQLEvent
        recent = sa.select(events.sender_id).where(events.timestamp >= cutoff)
        removed = self._delete(events.sender_id.not_in(recent))
        if removed:
            logger.info("Pruned %d tracker events older than the retention time.", removed)
        return removed


# Rasa looks up a sender's latest session start on every read and every save.
SESSIONS_INDEX = sa.Index(
    "encrypted_events_sessions",
    EncryptedSQLTrackerStore.SQLEvent.sender_id,
    EncryptedSQLTrackerStore.SQLEvent.type_name,
    EncryptedSQLTrackerStore.SQLEvent.timestamp,
)
