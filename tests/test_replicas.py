"""`companion serve --replicas 2`: two Rasa servers and two action servers on PostgreSQL,
the locks on Redis, behind the web app. A conversation stays with its own Rasa server; when
that server is killed in the middle, it goes on through the other with nothing lost."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
import redis
import requests
import yaml
from sqlalchemy import select

from bot.launcher.rasa_env import LOCK_LIFETIME
from bot.launcher.serve import replicas_refused
from bot.model.database import Database
from bot.model.invites import participant_for_sender
from bot.model.tables import Answer, Score, WebChat
from bot.settings import REPLICAS, load_settings
from tests.conftest import (
    BIN,
    EXAMPLES,
    REDIS_TEST_URL,
    Launcher,
    import_conference,
    postgres_unavailable,
    redis_unavailable,
    shared_stack_environment,
    stack_environment,
)
from tests.test_web_chat import Browser

PATH = yaml.safe_load((EXAMPLES.parent / "tests/data/family_review_path.yml").read_text())


@pytest.fixture
def two_replicas(tmp_path):
    reason = postgres_unavailable() or redis_unavailable()
    if reason:
        pytest.skip(reason)
    with shared_stack_environment(tmp_path, replicas=2) as env:
        launcher = Launcher(env, "--replicas", "2")
        launcher.settings = replace(launcher.settings, replicas=2)  # as the option makes them
        try:
            launcher.wait_ready()
            yield launcher
        finally:
            launcher.stop()


def server(port: int, rasa: bool = True) -> int:
    """The process id of the Rasa server (or action server) on `port`; each leads its own
    process group."""
    for entry in Path("/proc").iterdir():
        try:
            words = (entry / "cmdline").read_bytes().decode().split("\0")
            environ = (entry / "environ").read_bytes().decode().split("\0")
        except (OSError, ValueError):
            continue
        if rasa and "run" in words and "--port" in words:
            if words[words.index("--port") + 1] == str(port):
                return int(entry.name)
        elif not rasa and "bot.actions.server" in words:
            if f"COMPANION_ACTION_PORT={port}" in environ:
                return int(entry.name)
    raise AssertionError(f"no {'Rasa' if rasa else 'action'} server on port {port}")


def refused(port: int, within: float = 5) -> bool:
    """The port refuses connections (a killed process's socket closes a moment after)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return True
        time.sleep(0.05)
    return False


def said(browser: Browser, turn: dict, message_id: str | None = None) -> requests.Response:
    """One turn as chat.js sends it; the last reply is the path's next question."""
    form = {"message": turn["say"], "csrf": browser.csrf(), "message_id": message_id}
    answer = browser.http.post(
        f"{browser.base}/chat/say", data=form, headers={"Accept": "application/json"}, timeout=60
    )
    assert answer.status_code == 200, (turn, answer.text)
    assert turn["expect"] in answer.json()["replies"][-1]["text"], (turn, answer.json())
    return answer


def test_a_conversation_stays_on_its_server_and_goes_on_through_the_other_when_it_dies(
    two_replicas,
):
    stack = two_replicas
    for url in stack.settings.rasa_urls:
        assert f"{url}/webhooks/rest/webhook" in stack.output
    code = import_conference(stack.env, EXAMPLES / "demo-conference.yml")["P1"]
    kelly = Browser(stack)
    assert kelly.start(code).status_code == 200
    database = Database(stack.settings)
    with database.session() as session:
        sender = session.execute(select(WebChat.sender)).scalar_one()
    own, other = (int(url.rsplit(":", 1)[1]) for url in stack.settings.rasa_urls_for(sender))
    own_actions = stack.settings.action_port + stack.settings.rasa_urls.index(
        f"http://127.0.0.1:{own}"
    )

    # Sticky: with the other server frozen, her conversation goes on as before.
    os.kill(server(other), signal.SIGSTOP)
    try:
        for turn in PATH[1:4]:
            said(kelly, turn)
    finally:
        os.kill(server(other), signal.SIGCONT)
    for turn in PATH[4:7]:
        said(kelly, turn)

    # Her own Rasa server dies in the middle of a turn: it has her message and holds her
    # conversation's lock (in Redis), waiting on its action server.
    locks = redis.Redis.from_url(REDIS_TEST_URL)
    os.kill(server(own_actions, rasa=False), signal.SIGSTOP)
    with ThreadPoolExecutor(1) as background:
        form = {"message": PATH[7]["say"], "csrf": kelly.csrf(), "message_id": "m-7"}
        sent = background.submit(
            kelly.http.post,
            f"{kelly.base}/chat/say",
            data=form,
            headers={"Accept": "application/json"},
            timeout=60,
        )
        deadline = time.monotonic() + 30
        while not locks.keys(f"*{sender}") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert locks.keys(f"*{sender}"), "the message never reached her Rasa server"
        time.sleep(0.5)
        os.killpg(server(own), signal.SIGKILL)
        assert refused(own)
        os.kill(server(own_actions, rasa=False), signal.SIGCONT)
        lost = sent.result()
    assert lost.status_code == 503 and "not answering" in lost.json()["error"]
    assert locks.keys(f"*{sender}")  # the dead server's ticket is still there

    # She sends it again, as the page offers: the other server takes it, once.
    began = time.monotonic()
    said(kelly, PATH[7], message_id="m-7")
    waited = time.monotonic() - began
    assert waited < LOCK_LIFETIME + 15, waited  # the dead server's lock (20 s), not 60
    for turn in PATH[8:]:  # through the other, and her own again once it is restarted
        said(kelly, turn)

    with database.session() as session:
        participant = participant_for_sender(session, sender)
        assert (participant.response_status, participant.consent_to_share) == ("submitted", True)
        answers = session.execute(select(Answer).where(Answer.participant_id == participant.id))
        texts = [answer.text for answer in answers.scalars()]
        assert [text for text in set(texts) if texts.count(text) > 1] == []  # each stored once
        assert {
            "We go to the park every Sunday",
            "Leo loves his nursery",
            "Help with the rent",
            "I am nervous about the meeting",
        } <= set(texts)  # answers given through the other server are there
        scores = session.execute(select(Score).where(Score.participant_id == participant.id))
        [score] = scores.scalars().all()
        assert (score.score, score.reason) == (6, "We have had no fights since March")
    database.dispose()


def test_more_than_one_replica_needs_postgresql_and_redis(tmp_path):
    refused = subprocess.run(
        [str(BIN / "companion"), "serve", "--replicas", "2"],
        env=stack_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "Not starting: 2 replicas share every conversation, so both databases must be on "
        "PostgreSQL and the locks on Redis; here DATABASE_URL is sqlite, TRACKER_STORE_URL "
        'is sqlite, REDIS_URL is not set. Set them (see the README, "Deploying with '
        'PostgreSQL and Redis"), or run one replica.'
    )
    shared = load_settings(
        {
            "DATABASE_URL": "postgresql://db/companion",
            "TRACKER_STORE_URL": "postgresql://db/tracker",
            "REDIS_URL": "redis://redis/1",
            REPLICAS: "3",
            "COMPANION_RASA_PORT": "5005",
            "COMPANION_ACTION_PORT": "5007",
        }
    )
    assert "the ports overlap" in replicas_refused(shared)
    assert replicas_refused(replace(shared, action_port=5055)) is None
    assert replicas_refused(replace(shared, replicas=0)) == "--replicas must be 1 or more."


def test_each_sender_has_one_server_first_and_the_others_after():
    settings = replace(load_settings({}), replicas=3)
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.rasa_urls == [f"http://127.0.0.1:{port}" for port in (5005, 5006, 5007)]
    firsts = []
    for n in range(300):
        order = settings.rasa_urls_for(f"web:{n}")
        assert order == settings.rasa_urls_for(f"web:{n}")  # stable
        assert sorted(order) == settings.rasa_urls  # every server, once
        firsts.append(order[0])
    assert all(firsts.count(url) > 60 for url in settings.rasa_urls)  # spread over all
    assert load_settings({}).rasa_urls_for("web:1") == ["http://127.0.0.1:5005"]
