"""endpoints.yml, filled in by the launcher: SQL tracker store and the optional Redis lock store."""

from __future__ import annotations

import asyncio

import pytest
import redis
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.launcher.rasa_env import rasa_environment
from bot.settings import PROJECT_ROOT, load_settings
from tests.conftest import REDIS_TEST_URL, environment_for


def read_endpoints(monkeypatch, tmp_path, **overrides) -> AvailableEndpoints:
    settings = load_settings(environment_for(tmp_path, **overrides))
    for name, value in rasa_environment(settings).items():
        monkeypatch.setenv(name, value)
    return AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.yml"))


def test_one_machine_uses_sqlite_and_in_memory_locks(monkeypatch, tmp_path):
    endpoints = read_endpoints(monkeypatch, tmp_path)
    assert isinstance(LockStore.create(endpoints.lock_store), InMemoryLockStore)
    store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
    assert isinstance(store, SQLTrackerStore)
    assert str(store.engine.url) == f"sqlite:///{tmp_path / 'tracker.db'}"
    assert endpoints.action.url.endswith(":5055/webhook")


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


def test_postgresql_keeps_conversations(monkeypatch, tmp_path, postgres_url):
    endpoints = read_endpoints(monkeypatch, tmp_path, TRACKER_STORE_URL=postgres_url)
    store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
    tracker = DialogueStateTracker.from_events("pg-sender", [UserUttered("hello")])

    async def round_trip():
        await store.save(tracker)
        return await store.retrieve("pg-sender")

    saved = asyncio.run(round_trip())
    assert saved.latest_message.text == "hello"
    store.engine.dispose()
