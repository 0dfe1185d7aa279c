"""`companion key rotate`: every stored text re-encrypted with a new key.

With the key file (the default): a new key is made and written first as "NEW,OLD", so a
rotation cut short still reads everything; every encrypted column of our database and of
Rasa's tracker store is re-encrypted with the new key; then the file holds the new key
alone. With COMPANION_ENCRYPTION_KEY: set it to "NEW,OLD" (a new key from
`companion key new`), rotate, then set it to NEW alone. Refused while the service runs
(it holds the old key). SQLite files are vacuumed after; on PostgreSQL run VACUUM FULL.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from bot.model import crypto, handled_messages  # noqa: F401  (its table is in Base too)
from bot.model.tables import Base
from bot.private_files import write_private
from bot.settings import Settings

TRACKER_COLUMNS = [("encrypted_events", "id", "data")]  # bot/tracker_store.py


class RotationRefused(RuntimeError):
    pass


def our_columns() -> list[tuple[str, str, str]]:
    """(table, primary key, column) for every encrypted column of our tables."""
    return [
        (table.name, table.primary_key.columns.values()[0].name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, crypto.EncryptedText)
    ]


def rotate(settings: Settings) -> dict[str, int]:
    """Re-encrypt everything with the first key; how many values, per table and column."""
    if settings.encryption_key is not None:
        if "," not in settings.encryption_key:
            raise RotationRefused(
                "COMPANION_ENCRYPTION_KEY holds one key. Set it to NEW,OLD (make a new key "
                "with `companion key new`), run this again, then set it to NEW alone."
            )
        refuse_while_running(settings)
        crypto.configure(settings.encryption_key, settings.encryption_key_file)
        return _rotate_stores(settings)
    refuse_while_running(settings)
    # Every key the file holds stays until both stores are done: a run cut short, then
    # run again, can still read whatever the first one did not reach.
    held = settings.encryption_key_file.read_text().strip()
    new = crypto.new_key()
    _write_key(settings.encryption_key_file, f"{new},{held}")
    crypto.configure(None, settings.encryption_key_file)
    counts = _rotate_stores(settings)
    _write_key(settings.encryption_key_file, new)
    crypto.configure(None, settings.encryption_key_file)
    return counts


def refuse_while_running(settings: Settings) -> None:
    """A running service keeps the old key in memory and would write with it."""
    for url in (f"{settings.web_url}/healthz", f"{settings.action_url}/health", settings.rasa_url):
        try:
            urllib.request.urlopen(url, timeout=1).close()
        except (urllib.error.URLError, OSError):
            continue
        raise RotationRefused(f"Something answers at {url}: stop the service, then rotate.")


def _rotate_stores(settings: Settings) -> dict[str, int]:
    counts = _rotate(settings.database_url, our_columns())
    counts.update(_rotate(settings.tracker_store_url, TRACKER_COLUMNS))
    return counts


def _rotate(url: str, columns) -> dict[str, int]:
    engine = sa.create_engine(url)
    counts = {}
    try:
        with engine.begin() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            for table, key, column in columns:
                if table not in tables:
                    continue  # e.g. no tracker store yet
                rows = connection.execute(
                    sa.text(f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL")
                ).all()
                for row_id, token in rows:
                    connection.execute(
                        sa.text(f"UPDATE {table} SET {column} = :token WHERE {key} = :id"),
                        {"token": crypto.rotated(token), "id": row_id},
                    )
                counts[f"{table}.{column}"] = len(rows)
        if engine.dialect.name == "sqlite":  # old tokens must not linger in free pages
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM"))
    finally:
        engine.dispose()
    return counts


def _write_key(path: Path, keys: str) -> None:
    write_private(path, (keys + "\n").encode("ascii"), replace=True)
