"""The Rasa actions, each given the tracker Rasa would send, against a real database:
fast, no Rasa server."""

from __future__ import annotations

import json

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import store
from bot.actions.conversation import ActionAnswer, ActionBack, ActionPause, ActionStop
from bot.actions.session import ActionStartSession
from bot.cli import main
from bot.codes import CODE_ENTITY, hash_code
from tests.conftest import EXAMPLES, environment_for

SENDER = "tracker:kelly"
FRESH_HISTORY = {"event": "session_started", "timestamp": None}


@pytest.fixture
def code(tmp_path, monkeypatch, capsys):
    """A fresh database with the demo conference; the parent's invite code, hashed, as our
    channel hands it to Rasa (bot/channels/rest.py)."""
    for name, value in environment_for(tmp_path).items():
        monkeypatch.setenv(name, value)
    store.database.cache_clear()
    assert main(["conference", "import", str(EXAMPLES / "demo-conference.yml")]) == 0
    yield hash_code(json.loads(capsys.readouterr().out)["invites"][0]["code"])
    store.database().dispose()
    store.database.cache_clear()


def tracker(text: str, joined: bool | None = True, code: str | None = None) -> Tracker:
    """What Rasa sends an action: its history is only this turn (bot/actions/turn.py)."""
    entities = [{"entity": CODE_ENTITY, "value": code}] if code else []
    return Tracker(
        SENDER,
        {"joined": joined},
        {"text": text, "intent": {"name": "inform", "confidence": 1.0}, "entities": entities},
        [],
        False,
        None,
        {},
        "action_listen",
    )


async def run(action, state: Tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, state, {})
    return events, [message.get("text") or message["response"] for message in dispatcher.messages]


async def test_start_binds_asks_the_first_question_and_starts_afresh(code):
    events, said = await run(ActionStartSession(), tracker("/start", joined=None, code=code))
    assert events == [FRESH_HISTORY, {"event": "slot", "name": "joined", "value": True,
                                      "timestamp": None}]  # fmt: skip
    assert said[0].startswith("Hello Kelly.")


async def test_an_unknown_code_keeps_the_sender_out(code):
    events, said = await run(ActionStartSession(), tracker("/start", joined=None, code="nope"))
    assert events[1]["value"] is False
    assert said == ["utter_invite_unknown"]


async def test_each_answer_is_saved_and_the_next_question_asked_in_one_turn(code):
    await run(ActionStartSession(), tracker("/start", joined=None, code=code))
    _, said = await run(ActionAnswer(), tracker("No"))
    assert "questions about the reports" in said[-1]
    _, said = await run(ActionBack(), tracker("back"))
    assert 'You said: "No"' in said[-1]


async def test_a_lost_conversation_keeps_what_was_typed_and_asks_again(code):
    """Active in our tables, but Rasa has no history of it (a restart, a pruned tracker):
    the words are kept for the chair, not taken as an answer to an unseen question."""
    await run(ActionStartSession(), tracker("/start", joined=None, code=code))
    _, first = await run(ActionAnswer(), tracker("No"))
    _, said = await run(ActionAnswer(), tracker("We go to the park on Sundays", joined=None))
    assert said[-1] == first[-1]  # the same question again
    assert any("kept" in text.lower() for text in said[:-1])


async def test_pause_stops_the_questions_and_a_greeting_brings_them_back(code):
    await run(ActionStartSession(), tracker("/start", joined=None, code=code))
    _, said = await run(ActionPause(), tracker("pause"))
    assert len(said) == 1 and "Your answers so far are saved" in said[0]
    _, said = await run(ActionAnswer(), tracker("hello"))
    assert said[0] == "Welcome back, Kelly. We were at this question."
    assert len(said) >= 2  # and the question


async def test_stop_asks_nothing_more(code):
    await run(ActionStartSession(), tracker("/start", joined=None, code=code))
    _, said = await run(ActionStop(), tracker("stop"))
    assert len(said) == 1
    _, again = await run(ActionStop(), tracker("stop"))
    assert len(again) == 1


async def test_an_old_code_from_a_chat_that_has_joined_carries_on_its_conversation(code):
    await run(ActionStartSession(), tracker("/start", joined=None, code=code))
    _, first = await run(ActionAnswer(), tracker("No"))
    events, said = await run(ActionStartSession(), tracker("/start", code="revoked-or-unknown"))
    assert said[0] == "utter_invite_unknown"
    assert said[-1] == first[-1]  # and the question it was at
    assert events[1]["value"] is True  # its next message is still an answer
