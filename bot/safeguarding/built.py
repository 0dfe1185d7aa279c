"""What the detector builds from its data, kept so it is built once, not in every process.

Reading the harm concepts (stemming every term) and training the classifier take seconds;
every process that reads messages needs both (Rasa, the action server, each test worker).
They are kept under models/safeguarding/, beside the Rasa model and like it built from
this repository alone, named by a fingerprint of everything they are made from: the data
files, the code that reads them, and the versions of Python and of the libraries, since
each environment builds its own. Change any of those and the next process builds afresh.

Only files this service wrote are ever loaded (pickle runs code: never point this at a
folder anyone else can write). Where the folder cannot be written, each process builds
its own.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from bot.private_files import write_private
from bot.settings import PROJECT_ROOT

FOLDER = PROJECT_ROOT / "models" / "safeguarding"
LIBRARIES = ("scikit-learn", "scipy", "numpy", "snowballstemmer", "ruamel.yaml")
logger = logging.getLogger(__name__)
T = TypeVar("T")


def fingerprint(inputs: Iterable[Path]) -> str:
    digest = hashlib.sha256(sys.version.encode())
    for library in LIBRARIES:
        digest.update(f"{library}={metadata.version(library)}".encode())
    for path in sorted(set(inputs)):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def built(name: str, build: Callable[[], T], inputs: Iterable[Path]) -> T:
    """`build()`, or what an earlier process built from the same inputs."""
    path = FOLDER / f"{name}-{fingerprint(inputs)}.pickle"
    try:
        FOLDER.mkdir(parents=True, exist_ok=True)
        lock = open(path.with_suffix(".lock"), "a")
    except OSError as error:
        logger.info("Building %s in this process: %s", name, error)
        return build()
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # processes starting together: one builds
        try:
            if ours(path):
                return pickle.loads(path.read_bytes())
            logger.warning("Building %s again: %s is not this service's own file", name, path)
        except FileNotFoundError:
            pass
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as error:
            logger.warning("Building %s again: %s could not be read (%s)", name, path.name, error)
        value = build()
        try:
            write_private(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), True)
        except OSError as error:  # a full disk: this process still has what it built
            logger.warning("Could not keep the built %s: %s", name, error)
        return value


def ours(path: Path) -> bool:
    """Written by this user and writable by no one else: only such a file is unpickled."""
    status = path.stat()
    return status.st_uid == os.getuid() and not status.st_mode & 0o022
