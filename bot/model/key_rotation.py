"""`companion key rotate`: every stored text re-encrypted with a new key.

With the key file (the default): a new key is made and written first as "NEW,OLD", so a
rotation cut short still reads everything; every encrypted column of our database and of
Rasa's tracker store is re-encrypted with the new key; then the file holds the new key
alone. With COMPANION_ENCRYPTION_KEY: set it to "NEW,OLD" (a new key from
`companion key new`), rotate, then set it to NEW alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from bot.model import crypto
from bot.model.tables import Base
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
        crypto.configure(settings.encryption_key, settings.encryption_key_file)
        return _rotate_stores(settings)
    old = settings.encryption_key_file.read_text().strip().split(",")[0]
    new = crypto.new_key()
    _write_key(settings.encryption_key_file, f"{new},{old}")
    crypto.configure(None, settings.encryption_key_file)
    counts = _rotate_stores(settings)
    _write_key(settings.encryption_key_file, new)
    crypto.configure(None, settings.encryption_key_file)
    return counts


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
    finally:
        engine.dispose()
    return counts


def _write_key(path: Path, keys: str) -> None:
    """Replace the key file in one step, readable by its owner only."""
    temporary = path.with_suffix(".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as key_file:
        key_file.write(keys + "\n")
    os.replace(temporary, path)
