"""Checks before starting anything: Rasa does not fail when its databases are missing.

With an unreachable tracker store Rasa logs an error and serves anyway (or, for some
failures, retries for ever), so the launcher checks each shared service itself first.
"""

from __future__ import annotations

from pathlib import Path

import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.settings import Settings


class NotReachable(RuntimeError):
    pass


def check_database(name: str, url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        raise NotReachable(
            f"{name} ({parsed.render_as_string(hide_password=True)}) does not answer: "
            f"{str(error).splitlines()[0]}"
        ) from None
    finally:
        engine.dispose()


def check_redis(url: str) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.exceptions.RedisError as error:
        raise NotReachable(f"REDIS_URL does not answer: {error}") from None


def preflight(settings: Settings) -> None:
    check_database("DATABASE_URL", settings.database_url)
    # Rasa (SQLAlchemy 1.4, psycopg2) and the product (SQLAlchemy 2.1, psycopg 3) both open
    # Rasa's database, each with its own driver: the address must not name one.
    if "+" in settings.tracker_store_url.split("://", 1)[0]:
        raise NotReachable(
            "TRACKER_STORE_URL must not name a driver (postgresql://, not postgresql+...://): "
            "Rasa and the product each use their own."
        )
    check_database("TRACKER_STORE_URL", settings.tracker_store_url)
    if settings.redis_url:
        check_redis(settings.redis_url)
