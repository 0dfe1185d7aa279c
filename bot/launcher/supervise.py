"""The light process that runs the stack: start it, wait until it is healthy, stop it all
together.

Three processes: the action server, Rasa and the web app, each bound to 127.0.0.1, each
in its own process group with its log under var/log/. If one dies, the supervisor says so,
stops the others and exits non-zero: never a silent half stack.

`companion serve` prepares (checks, database, demo) and then becomes this process
(os.execv, same pid), so what watches the stack for days holds none of the libraries the
preparation needed: only the standard library and bot.settings.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bot.launcher.rasa_env import rasa_environment
from bot.settings import ACTION_TOKEN, PROJECT_ROOT, Settings, load_settings

# The pipe `companion serve` hands over what to print once everything is healthy through:
# a pipe, not the environment, which services would inherit and /proc shows for the
# stack's life (it may hold demo invite codes).
READY_MESSAGE_FD = "COMPANION_READY_MESSAGE_FD"


def hand_over(message: str) -> None:
    """Become the supervisor, which prints `message` once the stack is healthy."""
    read, write = os.pipe()
    os.write(write, message.encode())  # a few lines: far below a pipe's buffer
    os.close(write)
    os.set_inheritable(read, True)
    os.environ[READY_MESSAGE_FD] = str(read)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-P", "-m", "bot.launcher.supervise"])


def _ready_message() -> str:
    fd = os.environ.pop(READY_MESSAGE_FD, None)
    if fd is None:
        return ""
    with os.fdopen(int(fd), "rb") as pipe:
        return pipe.read().decode()


MODEL = PROJECT_ROOT / "models" / "companion.tar.gz"
QUIET = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}  # Rasa's own chatter
STOP_GRACE_SECONDS = 15


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str
    env: dict[str, str]
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    def start(self, log_dir: Path) -> None:
        self.log_path = log_dir / f"{self.name.replace(' ', '-')}.log"
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=PROJECT_ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches the launcher, which stops each in turn
        )
        log.close()

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def exited(self) -> int | None:
        return self.process.poll() if self.process else None

    def log_tail(self, lines: int = 15) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def signal(self, signum: int) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signum)
            except ProcessLookupError:
                pass


def services(settings: Settings) -> list[Service]:
    # Rasa and the action server share a secret: set one to run them on separate hosts.
    token = os.environ.get(ACTION_TOKEN) or secrets.token_urlsafe(32)
    return [
        Service(
            "action server",
            [sys.executable, "-m", "bot.actions.server"],
            f"{settings.action_url}/health",
            {**QUIET, ACTION_TOKEN: token},
        ),
        Service(
            "rasa",
            [
                str(settings.rasa_bin),  # Rasa's own environment (.venv-rasa)
                "run",
                "--model",
                str(MODEL),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
                "--interface",
                settings.host,
                "--port",
                str(settings.rasa_port),
            ],
            f"{settings.rasa_url}/",
            {**QUIET, **rasa_environment(settings, token)},
        ),
        Service(
            "web app",
            [sys.executable, "-m", "bot.web.app"],
            f"{settings.web_url}/healthz",
            QUIET,
        ),
    ]


class Stop(Exception):
    pass


def _raise_stop(signum, _frame):
    raise Stop(signal.Signals(signum).name)


def stop_all(running: list[Service]) -> None:
    for service in running:
        service.signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for service in running:
        try:
            service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            service.signal(signal.SIGKILL)
            service.process.wait()


def _report_crash(service: Service) -> None:
    print(
        f"\nThe {service.name} stopped unexpectedly (exit status {service.exited()}). "
        f"Its log is {service.log_path}; the last lines:\n{service.log_tail()}\n"
        "Stopping everything else.",
        file=sys.stderr,
    )


def run_stack(settings: Settings, ready_message: str) -> int:
    """Start, wait for health, print the message, then supervise until a signal or a crash."""
    if not MODEL.exists():
        print(
            f"There is no trained model at {MODEL}: run `make run` (it trains one).",
            file=sys.stderr,
        )
        return 1
    log_dir = settings.var_dir / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    stack = services(settings)
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for service in stack:
            service.start(log_dir)
        deadline = time.monotonic() + settings.start_timeout
        waiting = list(stack)
        while waiting:
            for service in list(waiting):
                if service.exited() is not None:
                    _report_crash(service)
                    return 1
                if service.healthy():
                    waiting.remove(service)
            if waiting and time.monotonic() > deadline:
                names = ", ".join(service.name for service in waiting)
                print(
                    f"Gave up after {settings.start_timeout:.0f} s waiting for: {names}. "
                    f"See the logs in {log_dir}. Stopping everything.",
                    file=sys.stderr,
                )
                return 1
            time.sleep(0.3)
        print(ready_message, flush=True)
        while True:
            for service in stack:
                if service.exited() is not None:
                    _report_crash(service)
                    return 1
            time.sleep(0.5)
    except Stop as stop:
        print(f"\nStopping ({stop}).", file=sys.stderr)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_all([service for service in stack if service.process])
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main() -> int:
    return run_stack(load_settings(), _ready_message())


if __name__ == "__main__":
    sys.exit(main())
