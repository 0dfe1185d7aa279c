"""A form's CSRF token, derived from the session's own token: nothing to store, and it
dies with the session (the chair's pages and the web chat)."""

from __future__ import annotations

import hashlib
import hmac


def csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"csrf", hashlib.sha256).hexdigest()


def csrf_ok(session_token: str, given: str | None) -> bool:
    # a file posted as the token's field is not one
    return (
        isinstance(given, str)
        and bool(given)
        and hmac.compare_digest(csrf_token(session_token), given)
    )
