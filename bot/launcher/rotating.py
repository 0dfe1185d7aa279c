"""Logs that do not grow without limit: what a service prints reaches its log under
var/log/ through the supervisor, which starts a new file when the current one passes
COMPANION_LOG_MAX_MB and keeps COMPANION_LOG_KEEP old ones (web-app.log.1 the newest).

Standard library only: the supervisor runs it (see bot/launcher/supervise.py).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


class RotatingLog:
    """An append-only log file, rotated by size; safe to write from several threads."""

    def __init__(self, path: Path, max_bytes: int, keep: int):
        self.path = path
        self.max_bytes = max(1, max_bytes)
        self.keep = max(0, keep)
        self._lock = threading.Lock()
        self._fd: int | None = None

    def _open(self) -> int:
        if self._fd is None:  # the owner's alone, whatever the umask
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return self._fd

    def _rotate(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self.keep == 0:
            self.path.unlink(missing_ok=True)
            return
        for number in range(self.keep, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{number}")
            newer = self.path.with_name(f"{self.path.name}.{number - 1}") if number > 1 else None
            source = newer or self.path
            if source.exists():
                os.replace(source, older)

    def write(self, data: bytes) -> None:
        """Split at line ends where it passes the size (a line longer than the size, at
        the size). Never raises: a full disk must not stop a service (its output is then
        lost)."""
        with self._lock:
            try:
                while data:
                    fd = self._open()
                    size = os.fstat(fd).st_size
                    if size + len(data) <= self.max_bytes:
                        os.write(fd, data)
                        return
                    if size:
                        self._rotate()
                        continue
                    cut = data.rfind(b"\n", 0, self.max_bytes) + 1 or self.max_bytes
                    os.write(fd, data[:cut])
                    data = data[cut:]
            except OSError:
                pass

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def pump(source: int, log: RotatingLog) -> threading.Thread:
    """Copy a child's output (a pipe's read end, closed at its end) into `log`, in a thread."""

    def copy() -> None:
        try:
            while chunk := os.read(source, 65536):
                log.write(chunk)
        except OSError:
            pass
        finally:
            os.close(source)

    thread = threading.Thread(target=copy, name=f"log {log.path.name}", daemon=True)
    thread.start()
    return thread
