"""Free text is encrypted at rest: what a family tells us never sits in the database in clear.

The key comes from COMPANION_ENCRYPTION_KEY, or from a key file that `make run` creates on
first run (var/encryption.key). Fernet gives authenticated encryption, so a wrong key is
an error, never garbage.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.types import Text, TypeDecorator

from bot.private_files import write_private


class EncryptionKeyError(RuntimeError):
    pass


_fernet: MultiFernet | None = None


def ensure_key_file(path: Path) -> bool:
    """Create a key file if there is none; True when one was created."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_private(path, Fernet.generate_key())
    except FileExistsError:  # made meanwhile by another process: that key stands
        return False
    return True


def configure(key: str | None, key_file: Path) -> None:
    """Set the key for this process: the key itself wins over the key file. Either may
    hold several keys, "NEW,OLD": text is written with the first and read with any, which
    is how a key is rotated (bot/model/key_rotation.py)."""
    global _fernet
    if key is None:
        if not key_file.exists():
            raise EncryptionKeyError(
                f"No encryption key: set COMPANION_ENCRYPTION_KEY or create {key_file} "
                "(make run creates one)."
            )
        key = key_file.read_text().strip()
    try:
        keys = key.decode() if isinstance(key, bytes) else key
        _fernet = MultiFernet([Fernet(part.strip().encode()) for part in keys.split(",")])
    except (ValueError, TypeError) as error:
        raise EncryptionKeyError(
            "The encryption key is not a valid Fernet key (32 url-safe base64-encoded bytes)."
        ) from error


def configure_from_environment() -> None:
    """The environment's key, unless this process has configured one (a migration that
    encrypts what is stored runs both inside `companion` and from alembic alone)."""
    if _fernet is None:
        from bot.settings import load_settings

        settings = load_settings()
        configure(settings.encryption_key, settings.encryption_key_file)


def _cipher() -> MultiFernet:
    if _fernet is None:
        raise EncryptionKeyError("The encryption key was not configured before database use.")
    return _fernet


def encrypted(text: str) -> str:
    return _cipher().encrypt(text.encode("utf-8")).decode("ascii")


def decrypted(token: str) -> str:
    try:
        return _cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as error:
        raise EncryptionKeyError(
            "Stored text cannot be decrypted with this key: is COMPANION_ENCRYPTION_KEY "
            "(or the key file) the one the database was written with?"
        ) from error


def encrypted_if_plain(value: str) -> str:
    """A stored value as a token: one the key reads already is left as it is."""
    try:
        decrypted(value)
    except EncryptionKeyError:
        return encrypted(value)
    return value


def rotated(token: str) -> str:
    """A stored token re-encrypted with the first key (read with any)."""
    return _cipher().rotate(token.encode("ascii")).decode("ascii")


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


class EncryptedText(TypeDecorator):
    """A text column stored as a Fernet token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypted(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypted(value)


class EncryptedBytes(EncryptedText):
    """Bytes (a child's drawing) stored as a Fernet token: an EncryptedText, so a key
    rotation re-encrypts it with everything else."""

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return _cipher().encrypt(bytes(value)).decode("ascii")

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return _cipher().decrypt(value.encode("ascii"))
        except InvalidToken as error:
            raise EncryptionKeyError(
                "A stored picture cannot be decrypted with this key: is "
                "COMPANION_ENCRYPTION_KEY (or the key file) the one the database was written with?"
            ) from error
