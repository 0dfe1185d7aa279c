"""Free text is encrypted at rest: a canary answer never appears in the raw database."""

from __future__ import annotations

import sqlite3

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from bot.conference_file import load_conference_file
from bot.model import crypto
from bot.model.answers import save_answer
from bot.model.conferences import create_conference
from bot.model.database import Database, migrate
from bot.model.tables import Answer, Participant
from bot.settings import load_settings
from tests.conftest import EXAMPLES, environment_for

CANARY = "canary-7f3a dad hit mum on Tuesday"


def _store_canary(database: Database) -> None:
    with database.session() as session, session.begin():
        conference, _ = create_conference(
            session, load_conference_file(EXAMPLES / "demo-conference.yml"), actor="test"
        )
        parent = next(p for p in conference.participants if p.key == "P1")
        save_answer(session, parent, "worries", "worried_about", CANARY)


def test_the_raw_sqlite_file_does_not_contain_the_canary(tmp_path):
    settings = load_settings(environment_for(tmp_path))
    migrate(settings.database_url)
    database = Database(settings)
    _store_canary(database)
    database.dispose()  # checkpoints the write-ahead log into the file
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("companion.db*"))
    assert raw, "the database file should exist"
    assert CANARY.encode() not in raw
    assert b"Kelly Smith" not in raw and b"could be hurt" not in raw
    # ...while the application reads it back in clear.
    database = Database(settings)
    with database.session() as session:
        assert session.execute(select(Answer.text)).scalar_one() == CANARY
    database.dispose()
    with sqlite3.connect(tmp_path / "companion.db") as connection:
        stored = connection.execute("SELECT text FROM answer").fetchone()[0]
    assert stored.startswith("gAAAA")  # a Fernet token


def test_postgresql_stores_only_ciphertext(tmp_path, postgres_url):
    settings = load_settings(environment_for(tmp_path, DATABASE_URL=postgres_url))
    migrate(settings.database_url)
    database = Database(settings)
    _store_canary(database)
    with database.engine.connect() as connection:
        stored = connection.execute(text("SELECT text FROM answer")).scalar_one()
    assert CANARY not in stored
    database.dispose()


def test_a_different_key_cannot_read_the_answers(tmp_path):
    env = environment_for(tmp_path)
    settings = load_settings(env)
    migrate(settings.database_url)
    database = Database(settings)
    _store_canary(database)
    database.dispose()
    other = Database(
        load_settings({**env, "COMPANION_ENCRYPTION_KEY": Fernet.generate_key().decode()})
    )
    with (
        other.session() as session,
        pytest.raises(crypto.EncryptionKeyError, match="cannot be decrypted"),
    ):
        session.execute(select(Participant.name)).scalars().all()
    other.dispose()


def test_a_key_file_is_made_once_and_then_used(tmp_path):
    key_file = tmp_path / "keys" / "encryption.key"
    assert crypto.ensure_key_file(key_file) is True
    first = key_file.read_bytes()
    assert crypto.ensure_key_file(key_file) is False and key_file.read_bytes() == first
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    crypto.configure(None, key_file)


def test_a_missing_or_bad_key_is_a_clear_error(tmp_path):
    with pytest.raises(crypto.EncryptionKeyError, match="COMPANION_ENCRYPTION_KEY"):
        crypto.configure(None, tmp_path / "absent.key")
    with pytest.raises(crypto.EncryptionKeyError, match="not a valid Fernet key"):
        crypto.configure("not-a-key", tmp_path / "absent.key")
