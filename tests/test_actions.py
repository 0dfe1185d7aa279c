"""The Rasa actions on tracker fixtures (tests/data/trackers/), against a real database:
fast, no Rasa server."""

from __future__ import annotations

import json

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import store
from bot.actions.conversation import (
    ActionAskAnswer,
    ActionBack,
    ActionPause,
    ValidateConferenceForm,
)
from bot.actions.session import ActionContinue, ActionStartSession
from bot.cli import main
from bot.codes import hash_code
from tests.conftest import EXAMPLES, environment_for

TRACKERS = EXAMPLES.parent / "tests" / "data" / "trackers"


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


def tracker(name: str, **replace) -> Tracker:
    text = (TRACKERS / f"{name}.json").read_text()
    for key, value in replace.items():
        text = text.replace("{" + key + "}", value)
    return Tracker.from_dict(json.loads(text))


async def run(action, state: Tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, state, {})
    return events, dispatcher.messages


async def test_start_binds_and_hands_over_to_the_form(code):
    events, messages = await run(ActionStartSession(), tracker("start", code=code))
    assert events == [{"event": "slot", "name": "joined", "value": True, "timestamp": None}]
    assert messages == []  # the welcome is the agenda's first step, asked by the form
    _, asked = await run(ActionAskAnswer(), tracker("in_form"))
    assert asked[0]["text"].startswith("Hello Kelly.")
    assert [b["payload"] for b in asked[-1]["buttons"]] == ["yes", "partly", "no"]


async def test_an_unknown_code_keeps_the_sender_out(code):
    events, messages = await run(ActionStartSession(), tracker("start", code="nope"))
    assert events[0]["value"] is False
    assert messages[0]["response"] == "utter_invite_unknown"


async def test_the_form_saves_each_answer_and_asks_the_next(code):
    await run(ActionStartSession(), tracker("start", code=code))
    await run(ActionAskAnswer(), tracker("in_form"))
    validated = await ValidateConferenceForm().validate_answer(
        "No", CollectingDispatcher(), tracker("in_form"), {}
    )
    assert validated == {"answer": None}  # not finished: the form asks again
    _, asked = await run(ActionAskAnswer(), tracker("in_form"))
    assert "questions about the reports" in asked[-1]["text"]
    await run(ActionBack(), tracker("in_form"))
    _, asked = await run(ActionAskAnswer(), tracker("in_form"))
    assert 'You said: "No"' in asked[-1]["text"]


async def test_pause_leaves_the_form_and_a_greeting_brings_them_back(code):
    await run(ActionStartSession(), tracker("start", code=code))
    await run(ActionAskAnswer(), tracker("in_form"))
    events, messages = await run(ActionPause(), tracker("in_form"))
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    assert "Your answers so far are saved" in messages[0]["text"]
    events, messages = await run(ActionContinue(), tracker("greeting_after_pause"))
    assert events[0]["value"] is True
    assert messages[0]["text"] == "Welcome back, Kelly. We were at this question."
