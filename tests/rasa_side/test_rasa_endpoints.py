"""endpoints.yml, filled in by the launcher: SQL tracker store and the optional Redis lock store."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis
import sqlalchemy as sa
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.launcher.rasa_env import rasa_environment
from bot.settings import PROJECT_ROOT, load_settings
from bot.tracker_store import EncryptedSQLTrackerStore
from tests.conftest import REDIS_TEST_URL, environment_for

TOKEN = "t" * 43


def read_endpoints(monkeypatch, tmp_path, **overrides) -> AvailableEndpoints:
    env = environment_for(tmp_path, **overrides)
    settings = load_settings(env)
    for name, value in {**env, **rasa_environment(settings, TOKEN)}.items():
        monkeypatch.setenv(name, value)
    return AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.yml"))


def test_one_machine_uses_sqlite_and_in_memory_locks(monkeypatch, tmp_path):
    endpoints = read_endpoints(monkeypatch, tmp_path)
    assert isinstance(LockStore.create(endpoints.lock_store), InMemoryLockStore)
    store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
    # Rasa falls back to an in-memory store, with only a warning, if ours fails to load.
    assert type(store) is EncryptedSQLTrackerStore
    assert str(store.engine.url) == f"sqlite:///{tmp_path / 'tracker.db'}"
    assert endpoints.action.url.endswith(":5055/webhook")
    assert endpoints.action.headers == {"Authorization": f"Bearer {TOKEN}"}


def test_redis_url_turns_on_the_shared_lock_store(monkeypatch, tmp_path):
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server answers at {REDIS_TEST_URL}")
    endpoints = read_endpoints(monkeypatch, tmp_path, REDIS_URL=REDIS_TEST_URL)
    lock_store = LockStore.create(endpoints.lock_store)
    assert isinstance(lock_store, RedisLockStore)

    async def hold_lock():
        async with lock_store.lock("conversation-1"):
            return client.keys("companion*conversation-1")

    assert asyncio.run(hold_lock()), "the lock should be visible in Redis while held"
    assert not client.keys("companion*conversation-1")


@pytest.fixture(params=["sqlite", "postgresql"])
def tracker_store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    return request.getfixturevalue("postgres_url")


def test_conversations_are_kept_encrypted_and_pruned_when_old(
    monkeypatch, tmp_path, tracker_store_url
):
    endpoints = read_endpoints(monkeypatch, tmp_path, TRACKER_STORE_URL=tracker_store_url)
    store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
    old = UserUttered("an old conversation", timestamp=time.time() - 40 * 86400)
    trackers = [
        DialogueStateTracker.from_events("sender-new", [UserUttered("my canary words")]),
        DialogueStateTracker.from_events("sender-old", [old]),
    ]

    async def round_trip():
        for tracker in trackers:
            await store.save(tracker)
        return await store.retrieve("sender-new")

    assert asyncio.run(round_trip()).latest_message.text == "my canary words"
    with store.engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT data FROM encrypted_events")).scalars().all()
    assert stored and not any("canary" in data or "old conversation" in data for data in stored)
    assert store.prune() == 1  # 30 days by default: the 40-day-old one goes
    assert asyncio.run(store.retrieve("sender-old")) is None
    assert asyncio.run(store.retrieve("sender-new")) is not None
    store.engine.dispose()


def test_a_saved_turn_deletes_the_turns_before_it(monkeypatch, tmp_path, tracker_store_url):
    """Each turn starts Rasa's history afresh (bot/actions/turn.py); what came before is
    read by no one, so it is not kept."""
    endpoints = read_endpoints(monkeypatch, tmp_path, TRACKER_STORE_URL=tracker_store_url)
    store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
    tracker = DialogueStateTracker.from_events("sender-1", [UserUttered("first turn")])

    async def turn(text: str):
        tracker.update(SessionStarted())
        tracker.update(UserUttered(text))
        await store.save(tracker)

    async def conversation():
        await store.save(tracker)
        for n in range(5):
            await turn(f"turn {n}")
        return await store.retrieve("sender-1")

    assert asyncio.run(conversation()).latest_message.text == "turn 4"
    with store.engine.connect() as connection:
        kept = connection.execute(sa.text("SELECT type_name FROM encrypted_events")).scalars()
        assert sorted(kept) == ["session_started", "user"]
    store.engine.dispose()
