"""Shared fixtures: real databases (SQLite always, PostgreSQL where a server answers)."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.model.database import Database, migrate
from bot.settings import PROJECT_ROOT, load_settings

# tests/rasa_side run in Rasa's environment (make pytest-rasa); the product's has no Rasa.
collect_ignore_glob = [] if importlib.util.find_spec("rasa") else ["rasa_side/*"]

EXAMPLES = PROJECT_ROOT / "examples"
BIN = Path(sys.executable).parent
POSTGRES_ADMIN_URL = os.environ.get(
    "COMPANION_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_TEST_URL = os.environ.get("COMPANION_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def postgres_unavailable() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when a server answers."""
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        return f"no PostgreSQL server answers at {POSTGRES_ADMIN_URL} ({type(error).__name__})"
    return None


@contextlib.contextmanager
def fresh_postgres_database():
    """A fresh, empty PostgreSQL database's address, dropped afterwards."""
    name = f"companion_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(make_url(POSTGRES_ADMIN_URL).set(database=name))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    with fresh_postgres_database() as url:
        yield url


def environment_for(var_dir: Path, **overrides) -> dict:
    env = {
        "COMPANION_VAR_DIR": str(var_dir),
        "COMPANION_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    env.update(overrides)
    return env


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'companion.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def settings(tmp_path, database_url):
    return load_settings(environment_for(tmp_path, DATABASE_URL=database_url))


@pytest.fixture
def database(settings):
    migrate(settings.database_url)
    database = Database(settings)
    yield database
    database.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stack_environment(var_dir: Path, **overrides) -> dict:
    """Environment for a whole stack on free ports, apart from anything already running."""
    return {
        **os.environ,
        **environment_for(
            var_dir,
            COMPANION_RASA_PORT=str(free_port()),
            COMPANION_ACTION_PORT=str(free_port()),
            COMPANION_WEB_PORT=str(free_port()),
        ),
        **overrides,
    }


def free_ports(count: int) -> int:
    """The first of `count` consecutive free ports, below Linux's range for outgoing
    connections (32768 up): a health check polling a port from that range before its
    server listens can be given that very port as its own and connect to itself."""
    while True:
        first = random.randrange(20000, 32000 - count)
        try:
            with contextlib.ExitStack() as held:
                for port in range(first, first + count):
                    sock = held.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue


def redis_unavailable() -> str | None:
    """Why Redis tests cannot run here, or None when a server answers."""
    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as error:
        return f"no Redis server answers at {REDIS_TEST_URL} ({type(error).__name__})"
    return None


@contextlib.contextmanager
def shared_stack_environment(var_dir: Path, replicas: int, **overrides):
    """A stack's environment for `companion serve --replicas`: both databases fresh on
    PostgreSQL, the locks on Redis, and consecutive ports for each kind of server."""
    first = free_ports(2 * replicas + 1)
    with fresh_postgres_database() as database, fresh_postgres_database() as tracker:
        yield stack_environment(
            var_dir,
            DATABASE_URL=database,
            TRACKER_STORE_URL=tracker,
            REDIS_URL=REDIS_TEST_URL,
            COMPANION_RASA_PORT=str(first),
            COMPANION_ACTION_PORT=str(first + replicas),
            COMPANION_WEB_PORT=str(first + 2 * replicas),
            **overrides,
        )


ACTION_TOKEN_FOR_TESTS = "a-test-secret-that-rasa-sends-the-action-server"


class Launcher:
    """`companion serve` as a real child process, its output in a file."""

    READY = "Conference Companion is running."

    def __init__(self, env: dict, *args: str):
        self.env = env
        self.settings = load_settings(env)
        self.output_path = Path(env["COMPANION_VAR_DIR"]) / "serve.out"
        self.output_path.parent.mkdir(parents=True, exist_ok=True)
        # The launcher's output sits in the var directory, so it is private like the rest.
        with open(
            os.open(self.output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w"
        ) as output:
            self.process = subprocess.Popen(
                [str(BIN / "companion"), "serve", *args],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=PROJECT_ROOT,
            )

    @property
    def output(self) -> str:
        return self.output_path.read_text()

    def wait_ready(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while self.READY not in self.output:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"the launcher exited ({self.process.returncode}):\n{self.output}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"the stack was not ready in {timeout} s:\n{self.output}")
            time.sleep(0.3)

    def say(self, sender: str, message: str) -> list[dict]:
        """One chat message through Rasa's REST webhook; the replies."""
        import requests

        response = requests.post(
            f"{self.settings.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def wait_exit(self, timeout: float = 60) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


@pytest.fixture(scope="session")
def fake_notify():
    """A local GOV.UK Notify for the whole session."""
    from tests.fake_notify import FakeNotify

    server = FakeNotify().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fake_telegram():
    """A local Telegram Bot API for the whole session."""
    from tests.fake_telegram import FakeTelegram

    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, fake_notify, fake_telegram):
    """The real stack (Rasa, action server, web app), started once per test session,
    telling a local fake GOV.UK Notify of safeguarding alerts, with its Telegram bot
    talking to a local fake Bot API."""
    env = stack_environment(
        tmp_path_factory.mktemp("stack"),
        COMPANION_DUTY_EMAIL="duty@example.gov.uk",
        COMPANION_ACTION_TOKEN=ACTION_TOKEN_FOR_TESTS,
        **fake_notify.environment(),
        **fake_telegram.environment(),
    )
    launcher = Launcher(env)
    launcher.wait_ready()
    yield launcher
    launcher.stop()


class EngineChat:
    """Drives the conversation engine as the action server does, one committed turn at a time:
    a command phrase runs its command, anything else is an answer, then the next question."""

    def __init__(self, database: Database, participant_id: int, agenda=None):
        from bot.agenda.loader import load_agenda

        self.database = database
        self.participant_id = participant_id
        self.agenda = agenda or load_agenda()

    def turn(self, method: str, text: str | None = None):
        from bot.dialogue import safety
        from bot.dialogue.conversation import Conversation
        from bot.model.tables import Participant
        from bot.safeguarding.detector import assess

        with self.database.session() as session, session.begin():
            participant = session.get(Participant, self.participant_id)
            conversation = Conversation(session, participant, self.agenda)
            waiting = conversation.data.safety_check and not conversation.data.stop_asked
            if method == "answer" or safety.reads_as_check_reply(conversation, text):
                # as the action server: the words judged in context, help where needed
                replies = safety.take(conversation, text, assess(text))
            elif method in ("back", "skip") and waiting:
                replies = safety.leave_check(conversation)
            else:
                args = [text] if method in ("add_late", "misunderstood") and text else []
                replies = getattr(conversation, method)(*args)
            if method != "ask":  # as every turn of the action server ends
                replies += conversation.next_question()
        return replies

    def start(self) -> str:
        return "\n".join(reply.text for reply in self.turn("resume"))

    def say(self, text: str) -> str:
        command = self.agenda.command(text)
        replies = self.turn(command, text) if command else self.turn("answer", text)
        return "\n".join(reply.text for reply in replies)

    def replies(self, text: str):
        """What the chat says, with its buttons."""
        command = self.agenda.command(text)
        return self.turn(command, text) if command else self.turn("answer", text)

    def buttons(self) -> list[str]:
        replies = self.turn("ask")
        return [b["title"] for b in replies[-1].buttons] if replies else []


def import_conference(env: dict, path: Path) -> dict:
    """`companion conference import`: {"id": conference id, participant key: invite code}."""
    import json

    result = subprocess.run(
        [str(BIN / "companion"), "conference", "import", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    output = json.loads(result.stdout)
    return {
        "id": output["conference_id"],
        **{i["participant"]: i["code"] for i in output["invites"]},
    }


def conference_with(database: Database, text: str):
    """Create a conference from conference-file text; returns {participant key: id}."""
    from bot.conference_file import parse_conference
    from bot.model.conferences import create_conference

    with database.session() as session, session.begin():
        conference, _ = create_conference(session, parse_conference(text), actor="test")
        return conference.id, {p.key: p.id for p in conference.participants}


def answered_demo(database: Database):
    """The demo conference, answered in part: Kelly (parent) sent and agreed to share; Jo
    (social worker) has not sent; Ava wrote in her house of good things for everyone.
    Returns (conference id, {participant key: id})."""
    from bot.model.answers import save_answer
    from bot.model.tables import Participant

    conference_id, ids = conference_with(database, (EXAMPLES / "demo-conference.yml").read_text())
    with database.session() as session, session.begin():
        people = {key: session.get(Participant, pid) for key, pid in ids.items()}
        save_answer(session, people["P3"], "worries", "sw", "Police were called in March")
        save_answer(session, people["P1"], "worries", "worries", "Dad's drinking at weekends")
        save_answer(session, people["P1"], "strengths", "strengths", "Nan has the kids Sundays")
        save_answer(session, people["P2"], "strengths", "good_things", "my hamster Biscuit")
        for sent in (people["P1"], people["P2"]):
            sent.response_status, sent.consent_to_share = "submitted", True
    return conference_id, ids
