"""The real stack started by `companion serve`: joining the chat through Rasa's REST webhook."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select, text

from bot.model.database import Database
from bot.model.invites import participant_for_sender
from bot.model.tables import Invite
from tests.conftest import ACTION_TOKEN_FOR_TESTS, BIN, EXAMPLES


def said(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


@pytest.fixture(scope="module")
def invites(stack):
    result = subprocess.run(
        [str(BIN / "companion"), "conference", "import", str(EXAMPLES / "demo-conference.yml")],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return {
        invite["participant"]: invite["code"] for invite in json.loads(result.stdout)["invites"]
    }


def test_start_greets_the_parent_by_name_and_says_who_reads_and_when(stack, invites):
    replies = stack.say("test:kelly", f"/start {invites['P1']}")
    text = said(replies)
    assert text.startswith("Hello Kelly.")
    assert "Example Borough Council" in text
    assert "Tuesday 15 December 2026 at 10am" in text
    assert "The chair of the conference will read your answers" in text
    assert "I cannot keep it secret if a child may be in danger" in text
    assert (
        replies[-1]["text"] == "Have you seen the reports for the conference? "
        "They come from the social worker and other services."
    )
    assert [b["payload"] for b in replies[-1]["buttons"]] == ["yes", "partly", "no"]
    database = Database(stack.settings)
    with database.session() as session:
        assert participant_for_sender(session, "test:kelly").key == "P1"
        invite = session.execute(
            select(Invite).where(Invite.bound_sender == "test:kelly")
        ).scalar_one()
        assert invite.bound_at is not None
    database.dispose()


def test_rasa_keeps_only_the_current_turn_encrypted_in_the_sql_tracker_store(stack):
    stack.say("test:tracker", "canary words nobody else would type")
    engine = create_engine(f"sqlite:///{Path(stack.env['COMPANION_VAR_DIR']) / 'tracker.db'}")
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT type_name, intent_name, action_name, data FROM encrypted_events"
                " WHERE sender_id = 'test:tracker'"
            )
        ).all()
    engine.dispose()
    kinds = {row.type_name for row in rows}
    assert {"session_started", "slot", "action"} <= kinds
    assert "user" not in kinds  # the message went with its turn; it is in our tables
    assert {(row.intent_name, row.action_name) for row in rows} == {(None, None)}
    assert not any("canary" in row.data for row in rows)


def test_the_action_server_answers_rasa_alone(stack):
    url = f"{stack.settings.action_url}/webhook"
    forged = {"next_action": "action_answer", "tracker": {"sender_id": "test:kelly"}}
    assert requests.post(url, json=forged, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer not-the-secret"}
    assert requests.post(url, json=forged, headers=wrong, timeout=10).status_code == 401
    assert requests.get(f"{stack.settings.action_url}/health", timeout=10).status_code == 200
    rasa = {"Authorization": f"Bearer {ACTION_TOKEN_FOR_TESTS}"}
    call = {
        "next_action": "action_not_understood",
        "sender_id": "test:rasa",
        "tracker": {"sender_id": "test:rasa", "slots": {}, "latest_message": {}, "events": []},
        "domain": {},
        "version": "3.6.21",
    }
    answered = requests.post(url, json=call, headers=rasa, timeout=10)
    assert answered.status_code == 200, answered.text
    assert answered.json()["responses"][0]["response"] == "utter_not_understood"
    # What Rasa expects when an action cannot run, and a tracker far over aiohttp's 1 MiB.
    unknown = requests.post(url, json={**call, "next_action": "no_such"}, headers=rasa, timeout=10)
    assert unknown.status_code == 404 and unknown.json()["action_name"] == "no_such"
    garbled = requests.post(url, data=b"{not json", headers=rasa, timeout=10)
    assert garbled.status_code == 400
    long_tracker = {**call["tracker"], "events": [{"event": "bot", "text": "x" * 500}] * 6000}
    big = requests.post(url, json={**call, "tracker": long_tracker}, headers=rasa, timeout=30)
    assert big.status_code == 200, big.text


def test_an_action_that_fails_says_so_without_echoing_the_tracker(stack):
    rasa = {"Authorization": f"Bearer {ACTION_TOKEN_FOR_TESTS}"}
    broken = {
        "next_action": "action_answer",
        "tracker": "canary words where a tracker should be",  # fails inside rasa_sdk
        "domain": {},
    }
    response = requests.post(
        f"{stack.settings.action_url}/webhook", json=broken, headers=rasa, timeout=10
    )
    assert response.status_code == 500
    assert response.json() == {"error": "The action failed."}
    log = Path(stack.env["COMPANION_VAR_DIR"]) / "log" / "action-server.log"
    assert "An action failed" in log.read_text() and "canary" not in log.read_text()


def test_the_chair_has_a_chat_of_who_answered_the_views_and_a_sign_in_link(stack, invites):
    """The chair has no questions: their invite opens a short chat instead, typed or tapped,
    and the sign-in link it gives opens the chair's pages."""
    replies = stack.say("test:sam", invites["P5"])  # a pasted code works without /start
    assert said(replies).startswith("Hello Sam Patel. You chair the meeting on Tuesday 15")
    titles = [b["title"] for b in replies[-1]["buttons"]]
    assert titles[0] == "Who has answered" and titles[-1] == "Sign-in link"
    assert "What's working well?" in titles

    answered = said(stack.say("test:sam", "who has answered so far?"))
    assert answered.splitlines()[0].startswith("Kelly Smith, parent or carer: ")
    assert "Ava Smith, child or young person: not started" in answered
    assert "Sam Patel" not in answered  # the chair has nothing to answer
    working_well = said(stack.say("test:sam", "What's working well?"))
    assert working_well.startswith("What's working well?")

    linked = said(stack.say("test:sam", "can you send me the link please"))
    print("LINKED", repr(linked))
    link = next(word for word in linked.split() if "/sign-in/" in word)
    token = link.rsplit("/", 1)[1]
    signed_in = requests.post(
        f"{stack.settings.web_url}/sign-in",
        data={"token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["Location"].startswith("/conferences/")
    assert "companion_chair" in signed_in.cookies


def test_the_same_code_from_another_chat_is_refused_kindly(stack, invites):
    stack.say("test:jo", f"/start {invites['P3']}")
    text = said(stack.say("test:someone-else", f"/start {invites['P3']}"))
    assert "already been used in another chat" in text
    assert "ask your social worker" in text
    assert "Jo" not in text


def test_an_unknown_code_says_whom_to_ask(stack):
    text = said(stack.say("test:stranger", "/start AAAAAAAAAAAAAAAAAAAAAA"))
    assert "can't find that invite code" in text and "ask your social worker" in text


def test_a_stranger_saying_hello_is_told_how_to_start(stack):
    assert "open the invite link" in said(stack.say("test:passer-by", "hello"))


def test_the_same_code_from_the_same_chat_carries_on(stack, invites):
    assert "House of good things" in said(stack.say("test:ava", f"/start {invites['P2']}"))
    again = said(stack.say("test:ava", f"/start {invites['P2']}"))
    assert again.startswith("Hello again, Ava. This is where we got to.")  # a child's words
    assert again.endswith("What is good in your life? What do you like doing?")


def test_the_web_app_is_healthy(stack):
    response = requests.get(f"{stack.settings.web_url}/healthz", timeout=10)
    health = response.json()
    assert response.status_code == 200 and health["status"] == "ok"
    # the supervisor's word on each service (a test may have killed one: then restarted)
    services = {service["name"]: service["state"] for service in health.get("services", [])}
    assert set(services) >= {"action server", "rasa", "web app"}, health


def _listening_addresses(port: int) -> set[str]:
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                addresses.add(address)
    return addresses


def test_every_service_listens_on_loopback_only(stack):
    loopback = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it
    for port in (stack.settings.rasa_port, stack.settings.action_port, stack.settings.web_port):
        assert _listening_addresses(port) == {loopback}, port


def test_a_chat_that_has_joined_is_refused_a_second_code_and_goes_on(stack, invites):
    assert "Amy" in said(stack.say("test:two-codes", f"/start {invites['P4']}"))
    second = said(stack.say("test:two-codes", f"/start {invites['P3']}"))
    assert "already being used for someone else's invite" in second
    assert "We were at this question" in second  # Amy's questions carry on
    assert said(stack.say("test:two-codes", "skip"))  # and the chat is not silent
    database = Database(stack.settings)
    with database.session() as session:
        assert participant_for_sender(session, "test:two-codes").key == "P4"
    database.dispose()
