"""Our fixes to Rasa's slow spots (bot/rasa_fixes.py) change nothing but the time taken."""

from __future__ import annotations

import asyncio

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.lock_store import InMemoryLockStore

from bot import rasa_fixes
from bot.tracker_store import EncryptedSQLTrackerStore

ACTION = RemoteAction("action_answer", None)
REPLY = {
    "events": [{"event": "session_started", "timestamp": None},
               {"event": "slot", "name": "joined", "value": True, "timestamp": None}],
    "responses": [{"text": "Have you seen the reports?", "buttons": [{"title": "Yes"}]}],
}  # fmt: skip


@pytest.fixture(autouse=True)
def fixed():
    rasa_fixes.install()
    yield
    RemoteAction._validate_action_result = rasa_fixes._rasa_validate


def test_a_valid_reply_passes_without_checking_the_schema_again(monkeypatch):
    def no_meta_check(*args, **kwargs):
        raise AssertionError("the schema was checked again")

    rasa_fixes.response_validator()
    monkeypatch.setattr(type(rasa_fixes.response_validator()), "check_schema", no_meta_check)
    assert ACTION._validate_action_result(REPLY) is True


@pytest.mark.parametrize(
    "reply",
    [
        {"events": [{"event": "no_such_event"}], "responses": []},
        {"events": "not a list", "responses": []},
        {"events": [], "responses": ["not an object"]},
    ],
)
def test_a_reply_rasa_refuses_is_still_refused_with_rasas_message(reply):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        ACTION._validate_action_result(reply)


def test_the_fix_is_installed_when_rasa_loads_our_tracker_store(tmp_path, monkeypatch):
    RemoteAction._validate_action_result = rasa_fixes._rasa_validate
    monkeypatch.setenv("COMPANION_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("COMPANION_ENCRYPTION_KEY", "x" * 43 + "=")
    EncryptedSQLTrackerStore(None, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    assert RemoteAction._validate_action_result is rasa_fixes._validate_action_result


async def test_a_message_whose_ticket_expires_behind_a_dead_servers_ticket_goes_ahead():
    """A ticket nobody will release (its server died) and ours just after it, both expiring
    between two looks at the lock: Rasa's own loop then waits for ever."""
    rasa_fixes.install()
    store = InMemoryLockStore()
    store.issue_ticket("kelly", lock_lifetime=0.3)  # the dead server's, never cleaned up
    waiting = store.lock("kelly", lock_lifetime=0.4, wait_time_in_seconds=1)
    lock = await asyncio.wait_for(waiting.__aenter__(), timeout=5)
    assert lock.conversation_id == "kelly"
    await waiting.__aexit__(None, None, None)


async def test_a_live_ticket_before_ours_is_still_waited_for():
    rasa_fixes.install()
    store = InMemoryLockStore()
    store.issue_ticket("kelly", lock_lifetime=30)  # a turn still being handled
    waiting = store.lock("kelly", lock_lifetime=30, wait_time_in_seconds=0.1)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(waiting.__aenter__(), timeout=1)
