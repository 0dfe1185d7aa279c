"""Opening the application database and bringing its schema up to date (Alembic)."""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.model import crypto
from bot.private_files import secure_var_dir
from bot.settings import PROJECT_ROOT, Settings

MIGRATIONS = PROJECT_ROOT / "migrations"
CONNECT_TIMEOUT = 10  # seconds


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # WAL lets the web app read while the action server writes.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    # A database host that takes the connection and never answers is given up on after
    # CONNECT_TIMEOUT seconds, not the operating system's minutes.
    return create_engine(
        url, future=True, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT}
    )


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Create or upgrade the schema to the newest migration (or to `revision`)."""
    _alembic(url, command.upgrade, revision)


def downgrade(url: str, revision: str) -> None:
    """Take the schema back to an earlier migration (tests that start from old data)."""
    _alembic(url, command.downgrade, revision)


def _alembic(url: str, step, revision: str) -> None:
    """Run an alembic step in one transaction.

    SQLite changes a column by rebuilding its table, which its foreign keys would refuse
    while other rows point at it: they are switched off for the migration and every
    reference is checked before it is committed.
    """
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            with connection.begin():
                config = alembic_config(url)
                config.attributes["connection"] = connection
                step(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration left broken references: {broken}")
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
    finally:
        engine.dispose()


def setup(settings: Settings) -> None:
    """Create the local key file (when no key is set) and create or migrate the database;
    the var directory, and all it holds, is made private."""
    if settings.encryption_key is None and crypto.ensure_key_file(settings.encryption_key_file):
        print(f"Created an encryption key in {settings.encryption_key_file}", file=sys.stderr)
    crypto.configure(settings.encryption_key, settings.encryption_key_file)  # migrations encrypt
    migrate(settings.database_url)
    secure_var_dir(settings.var_dir)


class Database:
    """One engine and session factory per process, with the encryption key configured."""

    def __init__(self, settings: Settings):
        self.settings = settings
        crypto.configure(settings.encryption_key, settings.encryption_key_file)
        self.engine = make_engine(settings.database_url)
        self._sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions()

    def dispose(self) -> None:
        self.engine.dispose()
