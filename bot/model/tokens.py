"""Random tokens held by a browser or a link (a chair's sign-in, a web chat's session):
256 bits each, and only their hash is ever stored, found again by it."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.codes import hash_code

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def by_token(session: Session, table, token: str | None):
    """The row of `table` whose `token_hash` is this token's, or None."""
    if not token:
        return None
    return session.execute(
        select(table).where(table.token_hash == hash_code(token))
    ).scalar_one_or_none()
