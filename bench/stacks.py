"""The two things measured side by side: our whole stack (`companion serve`), and a bare
`rasa init` bot with the same light NLU pipeline, built in a temporary folder from Rasa's
environment, with Rasa's in-memory tracker store and no action server."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import yaml

from bot.launcher.supervise import QUIET
from bot.settings import PROJECT_ROOT
from tests.conftest import free_port, shared_stack_environment, stack_environment

PRODUCT_BIN = Path(sys.executable).parent
RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin"
# The light pipeline our bot had before its intents were left to rules alone (config.yml).
LIGHT_PIPELINE = [
    {"name": "WhitespaceTokenizer"},
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4},
    {"name": "LogisticRegressionClassifier"},
]


def descendants(pid: int) -> list[int]:
    """A process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    kb = next(
        (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
    )
    return kb / 1024


def command_of(pid: int) -> str:
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    return " ".join(
        Path(w.decode()).name if i == 0 else w.decode() for i, w in enumerate(words[:4])
    )


class Service:
    """A process group started in the background, ready when `ready()` says so."""

    def __init__(self, folder: Path, webhook: str):
        self.folder = folder
        self.webhook = webhook
        self.process: subprocess.Popen | None = None
        self.ready_seconds = 0.0

    def start(self, command: list[str], env: dict, cwd: Path, ready, timeout: float = 300):
        log = open(self.folder / "service.log", "w")
        began = time.monotonic()
        self.process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=log, stderr=log, start_new_session=True
        )
        while not ready():
            if self.process.poll() is not None or time.monotonic() - began > timeout:
                sys.exit(f"{command[0]} did not start: see {self.folder / 'service.log'}")
            time.sleep(0.1)
        self.ready_seconds = time.monotonic() - began

    def processes(self) -> list[tuple[int, str, float]]:
        return [(pid, command_of(pid), rss_mb(pid)) for pid in descendants(self.process.pid)]

    def rss_mb(self) -> float:
        return sum(size for _, _, size in self.processes())

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).ok
    except requests.RequestException:
        return False


class OurStack(Service):
    def __init__(self):
        folder = Path(tempfile.mkdtemp(prefix="bench-ours-"))
        self.env = {**stack_environment(folder), **QUIET}  # as the end-to-end tests start it
        rasa = f"http://127.0.0.1:{self.env['COMPANION_RASA_PORT']}"
        super().__init__(folder, f"{rasa}/webhooks/rest/webhook")

    def start(self, *options: str) -> None:
        self.companion("setup")  # the database exists before the clock starts
        log = self.folder / "service.log"
        super().start(
            [str(PRODUCT_BIN / "companion"), "serve", *options],
            self.env,
            PROJECT_ROOT,
            lambda: log.exists() and "Press Ctrl-C" in log.read_text(),
        )

    def companion(self, *args: str) -> str:
        done = subprocess.run(
            [str(PRODUCT_BIN / "companion"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout


class SharedStack(OurStack):
    """Ours as a council would run it: `companion serve --replicas N`, both databases fresh
    on PostgreSQL (dropped at the end) and the locks on Redis, as tests/test_replicas.py."""

    def __init__(self, replicas: int):
        super().__init__()
        self.replicas = replicas
        self.databases = contextlib.ExitStack()
        shared = shared_stack_environment(self.folder, replicas)
        self.env = {**self.databases.enter_context(shared), **QUIET}
        self.web_url = f"http://127.0.0.1:{self.env['COMPANION_WEB_PORT']}"

    def start(self) -> None:
        super().start("--replicas", str(self.replicas))

    def stop(self) -> None:
        try:
            super().stop()
        finally:
            self.databases.close()


class BareBot(Service):
    """`rasa init`'s project, trained with the light pipeline."""

    def __init__(self):
        folder = Path(tempfile.mkdtemp(prefix="bench-bare-"))
        self.port = free_port()
        super().__init__(folder, f"http://127.0.0.1:{self.port}/webhooks/rest/webhook")
        self.env = {**os.environ, **QUIET}

    def build(self) -> None:
        template = next((PROJECT_ROOT / ".venv-rasa" / "lib").glob("python*/site-packages"))
        shutil.copytree(template / "rasa" / "cli" / "initial_project", self.folder / "bot")
        config = {
            "recipe": "default.v1",
            "language": "en",
            "assistant_id": "bare",
            "pipeline": LIGHT_PIPELINE,
            # rasa init's stories need memoization beside the rules
            "policies": [{"name": "MemoizationPolicy"}, {"name": "RulePolicy"}],
        }
        (self.folder / "bot" / "config.yml").write_text(yaml.safe_dump(config))
        (self.folder / "bot" / "endpoints.yml").write_text("")
        (self.folder / "bot" / "credentials.yml").write_text("rest:\n")
        subprocess.run(
            [str(RASA_BIN / "rasa"), "train", "--out", "models"],
            cwd=self.folder / "bot",
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        command = [str(RASA_BIN / "rasa"), "run", "--interface", "127.0.0.1"]
        command += ["--port", str(self.port), "--model", "models"]
        status = f"http://127.0.0.1:{self.port}/"
        super().start(command, self.env, self.folder / "bot", lambda: answers(status))
