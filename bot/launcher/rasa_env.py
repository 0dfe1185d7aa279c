"""The environment Rasa's endpoints.yml reads, derived from our own settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.settings import ACTION_TOKEN, Settings

# Seconds a conversation's lock lasts (Rasa's default is 60). A Rasa server killed in the
# middle of a turn leaves its ticket in Redis, and the conversation waits this long for it
# on whichever server takes it next; every turn takes far less.
LOCK_LIFETIME = 20


def rasa_environment(settings: Settings, action_token: str, replica: int = 0) -> dict[str, str]:
    """For the Rasa server numbered `replica` (from 0), which calls its own action server."""
    env = {
        "COMPANION_ACTION_ENDPOINT": f"{settings.action_urls[replica]}/webhook",
        ACTION_TOKEN: action_token,  # sent with every action call (bot/actions/server.py)
        "TRACKER_STORE_URL": settings.tracker_store_url,
        "LOCK_STORE_TYPE": "in_memory",
        "LOCK_STORE_HOST": "",
        "LOCK_STORE_PORT": "6379",
        "LOCK_STORE_DB": "1",
        "LOCK_STORE_PASSWORD": "",
        "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME),
    }
    if settings.redis_url:
        redis = urlsplit(settings.redis_url)
        env.update(
            LOCK_STORE_TYPE="redis",
            LOCK_STORE_HOST=redis.hostname or "localhost",
            LOCK_STORE_PORT=str(redis.port or 6379),
            LOCK_STORE_DB=(redis.path or "/1").lstrip("/") or "1",
            LOCK_STORE_PASSWORD=redis.password or "",
        )
    return env
