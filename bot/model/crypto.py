"""Free text is encrypted at rest: what a family tells us never sits in the database in clear.

The key comes from COMPANION_ENCRYPTION_KEY, or from a key file that `make run` creates on
first run (var/encryption.key). Fernet gives authenticated encryption, so a wrong key is
an error, never garbage.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.types import Text, TypeDecorator


class EncryptionKeyError(RuntimeError):
    pass


_fernet: Fernet | None = None


def ensure_key_file(path: Path) -> bool:
    """Create a key file if there is none; True when one was created."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as key_file:
        key_file.write(Fernet.generate_key())
    return True


def configure(key: str | None, key_file: Path) -> None:
    """Set the key for this process: the key itself wins over the key file."""
    global _fernet
    if key is None:
        if not key_file.exists():
            raise EncryptionKeyError(
                f"No encryption key: set COMPANION_ENCRYPTION_KEY or create {key_file} "
                "(make run creates one)."
            )
        key = key_file.read_text().strip()
    try:
        _fernet = Fernet(key.encode() if isinstance(key, str) else key)
    except (ValueError, TypeError) as error:
        raise EncryptionKeyError(
            "The encryption key is not a valid Fernet key (32 url-safe base64-encoded bytes)."
        ) from error


def _cipher() -> Fernet:
    if _fernet is None:
        raise EncryptionKeyError("The encryption key was not configured before database use.")
    return _fernet


class EncryptedText(TypeDecorator):
    """A text column stored as a Fernet token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return _cipher().encrypt(value.encode("utf-8")).decode("ascii")

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return _cipher().decrypt(value.encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise EncryptionKeyError(
                "Stored text cannot be decrypted with this key: is COMPANION_ENCRYPTION_KEY "
                "(or the key file) the one the database was written with?"
            ) from error
