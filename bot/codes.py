"""Invite codes: how they are made, and the hash that is all anyone keeps of them.

Standard library only: Rasa's side (our REST channel) hashes a code the moment it arrives,
so neither Rasa's tracker nor its log ever holds one; the action server redeems the hash.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets

CODE_BYTES = 16  # 128 bits; token_urlsafe keeps it safe for Telegram's ?start= links
CODE_ENTITY = "invite_code"
START_INTENT = "start"
# Telegram sends "/start CODE" from a deep link; people may also paste the code alone.
START_COMMAND = re.compile(r"^\s*/start(?:@\w+)?(?:\s+(?P<code>\S+))?\s*$", re.IGNORECASE)
BARE_CODE = re.compile(r"^\s*(?P<code>[A-Za-z0-9_-]{22})\s*$")  # token_urlsafe(16)


def new_code() -> str:
    """A random code that never starts with "-", which a command line reads as an option
    (`companion chat -dks...` failed one time in 64)."""
    while (code := secrets.token_urlsafe(CODE_BYTES)).startswith("-"):
        pass
    return code


def hash_code(code: str) -> str:
    # The code carries 128 random bits, so a plain digest cannot be reversed or guessed.
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def find_start(text: str) -> tuple[bool, str | None]:
    """(is this a start message?, the invite code if one was given)."""
    match = START_COMMAND.match(text) or BARE_CODE.match(text)
    if not match:
        return False, None
    return True, match.group("code")


def start_message(code: str | None) -> str:
    """The start as Rasa should read it: its intent, and the code's hash as the entity."""
    if code is None:
        return f"/{START_INTENT}"
    return f"/{START_INTENT}" + json.dumps({CODE_ENTITY: hash_code(code)})
