"""Nothing a family types, and no invite code, sits readable at rest; what we write is ours
alone; every export is audited and none overwrites a file by accident."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import create_engine, select, text

from bot.cli import main
from bot.model.database import Database
from bot.model.tables import Answer, AuditEvent, SafeguardingAlert
from bot.settings import load_settings
from tests.conftest import EXAMPLES, environment_for, import_conference

# Words nobody else in the test session types, so finding them anywhere is a leak.
CANARY_ANSWER = "quokkacanary answer about the allotment"
CANARY_DISCLOSURE = "quokkadanger he hit me with a belt last night and i am scared to go home"


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_no_words_or_codes_at_rest_in_plain_text(stack):
    conference = import_conference(stack.env, EXAMPLES / "demo-conference.yml")
    code = conference["P1"]
    stack.say("test:canary", f"/start {code}")
    stack.say("test:canary", CANARY_ANSWER)
    help_first = "\n".join(r.get("text", "") for r in stack.say("test:canary", CANARY_DISCLOSURE))
    assert "999" in help_first  # the disclosure was heard
    database = Database(stack.settings)
    with database.session() as session:  # and kept, encrypted, for the chair
        alerts = session.execute(select(SafeguardingAlert.text)).scalars().all()
    database.dispose()
    assert CANARY_DISCLOSURE in alerts

    var_dir = Path(stack.env["COMPANION_VAR_DIR"])
    files = files_under(var_dir)
    assert any(path.name == "companion.db" for path in files)
    assert any(path.name == "tracker.db" for path in files)
    assert any(path.suffix == ".log" for path in files)
    secrets = [code, "quokkacanary", "quokkadanger"]
    leaks = [
        (path.relative_to(var_dir), secret)
        for path in files
        for secret in secrets
        if secret.encode() in path.read_bytes()
    ]
    assert leaks == []


def test_what_the_stack_writes_is_for_its_owner_only(stack):
    var_dir = Path(stack.env["COMPANION_VAR_DIR"])
    assert stat.S_IMODE(var_dir.stat().st_mode) == 0o700
    modes = {
        str(path.relative_to(var_dir)): oct(stat.S_IMODE(path.stat().st_mode))
        for path in var_dir.rglob("*")
    }
    assert modes and set(modes.values()) <= {"0o600", "0o700"}, modes


def test_an_export_never_overwrites_by_accident_and_is_audited(tmp_path, monkeypatch, capsys):
    for name, value in environment_for(tmp_path).items():
        monkeypatch.setenv(name, value)
    assert main(["conference", "import", str(EXAMPLES / "demo-conference.yml")]) == 0
    conference_id = json.loads(capsys.readouterr().out)["conference_id"]
    output = tmp_path / "exports" / "summary.md"
    output.parent.mkdir()
    output.write_text("the chair's own notes")
    export = ["summary", conference_id, "--format", "markdown", "--output", str(output)]
    assert main(export) == 2
    assert "already exists: add --force" in capsys.readouterr().err
    assert output.read_text() == "the chair's own notes"
    output.unlink()
    assert main(export) == 0
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert main([*export, "--force", "--audience", "family"]) == 0
    database = Database(load_settings())
    with database.session() as session:
        exported = session.execute(
            select(AuditEvent.detail).where(AuditEvent.action == "summary_exported")
        ).scalars()
        assert [(d["audience"], d["format"]) for d in exported] == [
            ("chair", "markdown"),
            ("family", "markdown"),
        ]
    database.dispose()


def test_a_log_line_never_carries_typed_words_or_a_code(monkeypatch):
    import io
    import logging
    import warnings

    from bot import log_privacy

    written = io.StringIO()
    handler = logging.StreamHandler(written)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [handler])
    monkeypatch.setattr(root, "level", logging.DEBUG)
    log_privacy.install()
    code = "Hh3kP0-q2Zx9LmN4bVcT1w"
    logging.getLogger("rasa.core").info("Received user message '%s'", "I don't want to go home")
    logging.getLogger("rasa.core").debug('{"text": "he said \\"stop\\" to me"}')
    logging.getLogger("rasa.core").warning(f"Failed to parse arguments in line '/start {code}'.")
    warnings.warn(f"Failed to parse arguments in line '/start {code}'.", UserWarning, stacklevel=1)
    logging.getLogger("rasa.core").info("From 'test:kelly': 'hitting'")
    token = "123456:AAHk-secret_bot_token"
    logging.getLogger("httpx").warning(f"POST https://api.telegram.org/bot{token}/sendMessage")
    sign_in = "4CDcq4VQ7YrC0A1RGoNT0rlpzppXvHRc96q0Tw6IwQg"
    logging.getLogger("aiohttp.access").info(f"GET /sign-in/{sign_in} HTTP/1.1 200")
    try:
        raise ValueError("could not store 'my ex scares me'")
    except ValueError:
        logging.getLogger("rasa_sdk").exception("An action failed for 'action_answer'")
    logging.captureWarnings(False)
    log = written.getvalue()
    for words in ("want to go home", "stop", code, "hitting", "my ex scares me", token, sign_in):
        assert words not in log
    assert "An action failed for 'action_answer'" in log  # names still say what happened


def rasa_event(tracker_url: str, key: str, words: str) -> None:
    """An event as bot/tracker_store.py keeps it in Rasa's database (its `data` encrypted),
    written here without Rasa, which lives in its own environment."""
    engine = create_engine(tracker_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE encrypted_events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255),"
                " type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255),"
                " action_name VARCHAR(255), data TEXT)"
            )
        )
        token = Fernet(key.encode()).encrypt(json.dumps({"text": words}).encode()).decode()
        connection.execute(
            text(
                "INSERT INTO encrypted_events (sender_id, type_name, data) VALUES ('s', 'user', :d)"
            ),
            {"d": token},
        )
    engine.dispose()


def rasa_events(tracker_url: str, key: str) -> list[dict]:
    engine = create_engine(tracker_url)
    with engine.connect() as connection:
        tokens = connection.execute(text("SELECT data FROM encrypted_events")).scalars().all()
    engine.dispose()
    return [json.loads(Fernet(key.encode()).decrypt(t.encode())) for t in tokens]


def test_rotating_the_key_re_encrypts_our_tables_and_rasas(tmp_path, monkeypatch, capsys):
    from bot.model import crypto
    from bot.model.answers import save_answer
    from bot.model.tables import Participant

    env = environment_for(tmp_path)
    del env["COMPANION_ENCRYPTION_KEY"]  # the default: a key file under var/
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("COMPANION_ENCRYPTION_KEY", raising=False)
    assert main(["conference", "import", str(EXAMPLES / "demo-conference.yml")]) == 0
    settings = load_settings()
    database = Database(settings)
    with database.session() as session, session.begin():
        kelly = session.execute(select(Participant).where(Participant.key == "P1")).scalar_one()
        save_answer(session, kelly, "worries", "worries", "rotate me")
    database.dispose()
    old_key = settings.encryption_key_file.read_text().strip()
    rasa_event(settings.tracker_store_url, old_key, "rasa's copy")
    capsys.readouterr()

    assert main(["key", "rotate"]) == 0
    counts = json.loads(capsys.readouterr().out)["re_encrypted"]
    assert counts["answer.text"] >= 1 and counts["encrypted_events.data"] == 1
    assert counts["participant.email"] == 2 and counts["participant.phone"] == 1  # contacts too
    new_key = settings.encryption_key_file.read_text().strip()
    assert new_key != old_key and "," not in new_key
    assert stat.S_IMODE(settings.encryption_key_file.stat().st_mode) == 0o600
    database = Database(load_settings())  # the new key reads everything
    with database.session() as session:
        assert "rotate me" in [a.text for a in session.execute(select(Answer)).scalars()]
        jo = session.execute(select(Participant).where(Participant.key == "P3")).scalar_one()
        assert (jo.email, jo.phone) == ("jo.brown@example.gov.uk", "07700900001")
    database.dispose()
    assert rasa_events(settings.tracker_store_url, new_key) == [{"text": "rasa's copy"}]
    with pytest.raises(InvalidToken):
        rasa_events(settings.tracker_store_url, old_key)
    crypto.configure(old_key, settings.encryption_key_file)  # the old key reads nothing
    database = Database(load_settings({**env, "COMPANION_ENCRYPTION_KEY": old_key}))
    with database.session() as session, pytest.raises(crypto.EncryptionKeyError):
        session.execute(select(Answer)).scalars().all()
    database.dispose()

    monkeypatch.setenv("COMPANION_ENCRYPTION_KEY", new_key)  # one key in the variable: refused
    assert main(["key", "rotate"]) == 2
    assert "Set it to NEW,OLD" in capsys.readouterr().err


def test_a_rotation_cut_short_then_run_again_loses_nothing(tmp_path, monkeypatch, capsys):
    from bot.model import key_rotation
    from bot.model.answers import save_answer
    from bot.model.tables import Participant

    env = environment_for(tmp_path)
    del env["COMPANION_ENCRYPTION_KEY"]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("COMPANION_ENCRYPTION_KEY", raising=False)
    assert main(["conference", "import", str(EXAMPLES / "demo-conference.yml")]) == 0
    database = Database(load_settings())
    with database.session() as session, session.begin():
        kelly = session.execute(select(Participant).where(Participant.key == "P1")).scalar_one()
        save_answer(session, kelly, "worries", "worries", "still readable")
    database.dispose()
    real_rotate = key_rotation._rotate

    def fails_before_anything_is_re_encrypted(url, columns):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(key_rotation, "_rotate", fails_before_anything_is_re_encrypted)
    with pytest.raises(RuntimeError):
        main(["key", "rotate"])  # nothing re-encrypted: the file holds the new and old keys
    monkeypatch.setattr(key_rotation, "_rotate", real_rotate)
    assert main(["key", "rotate"]) == 0  # again: the first run's key is still there
    database = Database(load_settings())
    with database.session() as session:
        assert "still readable" in [a.text for a in session.execute(select(Answer)).scalars()]
    database.dispose()
    assert "," not in load_settings().encryption_key_file.read_text()
