"""Files that hold what families said are for this service's user alone.

Every process of ours starts with umask 077, so whatever it creates (databases and their
journals, logs, the key file, exports) is readable by its owner only, and so is whatever
Rasa and the action server create, since they are its children. `secure_var_dir` also
tightens a var directory made before this rule.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PRIVATE_UMASK = 0o077


def private_by_default() -> None:
    os.umask(PRIVATE_UMASK)


def secure_var_dir(var_dir: Path) -> None:
    """var/ 0700, everything in it 0600 (directories 0700)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    var_dir.chmod(0o700)
    for path in var_dir.rglob("*"):
        if path.is_symlink():
            continue
        path.chmod(0o700 if path.is_dir() else 0o600)


def write_private(path: Path | str, data: bytes, replace: bool = False) -> None:
    """Write a file readable by its owner only, in one step: a file that exists is never
    half-written, and is replaced only when asked (FileExistsError otherwise). A symlink
    at the path is replaced, never followed."""
    path = Path(path)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # 0600
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails if the path exists, even if made meanwhile
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
