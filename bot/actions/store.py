"""The action server's one connection to the application database."""

from __future__ import annotations

from functools import lru_cache

from bot.model.database import Database
from bot.settings import load_settings


@lru_cache(maxsize=1)
def database() -> Database:
    return Database(load_settings())
