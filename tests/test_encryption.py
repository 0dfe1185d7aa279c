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


CONTACTS = (b"jo.brown@example.gov.uk", b"07700900001", b"sam.patel@example.gov.uk")


def test_contact_details_are_not_stored_in_clear(tmp_path):
    from bot.model.tables import Notification
    from bot.safeguarding.alerts import raise_alert
    from bot.safeguarding.detector import assess

    settings = load_settings(environment_for(tmp_path))
    migrate(settings.database_url)
    database = Database(settings)
    _store_canary(database)
    with database.session() as session, session.begin():
        ava = session.execute(select(Participant).where(Participant.key == "P2")).scalar_one()
        raise_alert(session, ava, assess("my dad hits me"), "my dad hits me")
    database.dispose()
    with sqlite3.connect(tmp_path / "companion.db") as connection:
        rows = connection.execute("SELECT email, phone FROM participant").fetchall()
        recipients = connection.execute("SELECT recipient FROM notification").fetchall()
    assert recipients, "the alert should have queued its emails and text"
    for value in [v for row in rows + recipients for v in row if v is not None]:
        assert value.startswith("gAAAA") and "@" not in value and "0770" not in value
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("companion.db*"))
    assert not [contact for contact in CONTACTS if contact in raw]
    database = Database(settings)  # the application reads them in clear
    with database.session() as session:
        jo = session.execute(select(Participant).where(Participant.key == "P3")).scalar_one()
        assert (jo.email, jo.phone) == ("jo.brown@example.gov.uk", "07700900001")
        sent_to = {n.recipient for n in session.execute(select(Notification)).scalars()}
        assert {"jo.brown@example.gov.uk", "07700900001", "sam.patel@example.gov.uk"} <= sent_to
    database.dispose()


def test_a_database_with_plain_contact_details_is_migrated(settings):
    from bot.model.database import downgrade

    url = settings.database_url
    migrate(url)
    database = Database(settings)
    _store_canary(database)
    downgrade(url, "0012")  # contact details were plain text then
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE participant SET phone = '07700900999' WHERE key = 'P1'"))
        stored = dict(connection.execute(text("SELECT key, email FROM participant")).all())
    assert stored["P3"] == "jo.brown@example.gov.uk"
    migrate(url)
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT key, email, phone FROM participant")).all()
    assert all(v is None or v.startswith("gAAAA") for _, *values in rows for v in values)
    with database.session() as session:
        people = {p.key: p for p in session.execute(select(Participant)).scalars()}
        assert people["P1"].phone == "07700900999"
        assert (people["P3"].email, people["P3"].phone) == (
            "jo.brown@example.gov.uk",
            "07700900001",
        )
        assert people["P5"].email == "sam.patel@example.gov.uk" and people["P5"].phone is None
    database.dispose()
