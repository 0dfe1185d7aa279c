"""Shared fixtures: real databases (SQLite always, PostgreSQL where a server answers)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.model.database import Database, migrate
from bot.settings import PROJECT_ROOT, load_settings

EXAMPLES = PROJECT_ROOT / "examples"
POSTGRES_ADMIN_URL = os.environ.get(
    "COMPANION_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_TEST_URL = os.environ.get("COMPANION_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def postgres_unavailable() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when a server answers."""
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        return f"no PostgreSQL server answers at {POSTGRES_ADMIN_URL} ({type(error).__name__})"
    return None


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    name = f"companion_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield str(make_url(POSTGRES_ADMIN_URL).set(database=name))
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def environment_for(var_dir: Path, **overrides) -> dict:
    env = {
        "COMPANION_VAR_DIR": str(var_dir),
        "COMPANION_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    env.update(overrides)
    return env


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'companion.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def settings(tmp_path, database_url):
    return load_settings(environment_for(tmp_path, DATABASE_URL=database_url))


@pytest.fixture
def database(settings):
    migrate(settings.database_url)
    database = Database(settings)
    yield database
    database.dispose()
