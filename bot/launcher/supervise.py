"""The light process that runs the stack: start it, wait until it is healthy, keep it
running, stop it all together.

Three processes (more with --replicas): the action server, Rasa and the web app, each
bound to 127.0.0.1, each in its own process group. What each prints reaches its log under
var/log/ through this process, which starts a new file past COMPANION_LOG_MAX_MB
(bot/launcher/rotating.py).

A service that stops before the stack is first healthy stops everything, saying why:
never a silent half stack. Once the stack is healthy, a service that dies is restarted
alone: at once after a minute's good running, otherwise after 1 s, 2 s, 4 s ... (30 s at
most). Each restart is said on stderr and in var/log/supervisor.log, with the exit status
and the service's log, and counted in var/run/stack.json, which the web app's /healthz
shows. A crash loop (a service stopping again after five restarts within a minute) stops
everything and exits non-zero, saying why. A restarted service that is not healthy within
COMPANION_START_TIMEOUT is stopped and counted as dying. SIGTERM, SIGINT, SIGHUP (a closed
terminal) and SIGQUIT stop every service; a supervisor killed outright (SIGKILL) takes its
services with it.

`companion serve` prepares (checks, database, demo) and then becomes this process
(os.execv, same pid), so what watches the stack for days holds none of the libraries the
preparation needed: only the standard library and bot.settings.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from bot.launcher.rasa_env import rasa_environment
from bot.launcher.rotating import RotatingLog, pump
from bot.private_files import write_private
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
# Whatever ends a terminal session or asks politely stops the whole stack, never the
# supervisor alone (its services are in sessions of their own: nothing else reaches them).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


# Run before a service's own program, in its process: should the supervisor be killed
# outright (SIGKILL, which it cannot catch), Linux sends the service SIGTERM
# (PR_SET_PDEATHSIG), so no service runs on without it, holding its port.
_PARENT_DEATH_SIGNAL = """
import ctypes, os, signal, sys
ctypes.CDLL(None).prctl(1, signal.SIGTERM)
if os.getppid() == int(sys.argv[1]):
    os.execvp(sys.argv[2], sys.argv[2:])
"""


def outliving_nothing(command: list[str]) -> list[str]:
    if not sys.platform.startswith("linux"):
        return command
    return [sys.executable, "-c", _PARENT_DEATH_SIGNAL, str(os.getpid()), *command]


def stack_state_path(var_dir: Path) -> Path:
    """Where the supervisor says how each service is; the web app's /healthz reads it."""
    return var_dir / "run" / "stack.json"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def exit_status(status: int) -> str:
    if status < 0:
        try:
            return f"exit status {status}, killed by {signal.Signals(-status).name}"
        except ValueError:
            pass
    return f"exit status {status}"


def answers_ok(health_url: str) -> bool:
    """Does the service's health check answer 200 within 2 s?"""
    try:
        with urllib.request.urlopen(health_url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return False  # HTTPException: a port not yet ours answering with anything else


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str
    env: dict[str, str]
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    log: RotatingLog | None = None
    copying: threading.Thread | None = None  # its output, into its log
    started: float = 0.0  # time.monotonic() of the last start
    state: str = "starting"  # running, restarting (waiting to), stopped
    restarts: int = 0
    last_restart: str | None = None
    last_exit: int | None = None
    quick_deaths: int = 0  # in a row, each within a minute of starting: its restarts' wait
    deaths: list[float] = field(default_factory=list)  # time.monotonic() of each, lately
    restart_at: float | None = None

    def start(self, log_dir: Path, max_bytes: int = 10 << 20, keep: int = 5) -> None:
        self.log_path = log_dir / f"{self.name.replace(' ', '-')}.log"
        if self.log is None:
            self.log = RotatingLog(self.log_path, max_bytes, keep)
        read, write = os.pipe()
        try:
            self.process = subprocess.Popen(
                outliving_nothing(self.command),
                cwd=PROJECT_ROOT,
                env={**os.environ, **self.env},
                stdout=write,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # signals reach it from the supervisor alone
            )
        except BaseException:
            os.close(read)
            raise
        finally:
            os.close(write)
        self.copying = pump(read, self.log)
        self.started = time.monotonic()
        self.state = "starting"

    def healthy(self) -> bool:
        return answers_ok(self.health_url)

    def exited(self) -> int | None:
        return self.process.poll() if self.process else None

    def log_tail(self, lines: int = 15) -> str:
        if self.copying:  # its last words, unless something it started keeps the pipe
            self.copying.join(timeout=1)
        if not self.log_path or not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - 16384))
            text = log.read().decode(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def signal(self, signum: int) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signum)
            except ProcessLookupError:
                pass

    def summary(self) -> dict:
        """For /healthz: no command line, environment or log, nothing anyone said."""
        return {
            "name": self.name,
            "state": self.state,
            "restarts": self.restarts,
            "last_restart": self.last_restart,
            "last_exit": self.last_exit,
        }


def services(settings: Settings) -> list[Service]:
    """An action server and a Rasa server for each replica (Rasa calling its own action
    server), on consecutive ports, then the web app that spreads conversations over them."""
    # Rasa and the action server share a secret: set one to run them on separate hosts.
    token = os.environ.get(ACTION_TOKEN) or secrets.token_urlsafe(32)
    stack = []
    for n in range(settings.replicas):
        number = f" {n + 1}" if settings.replicas > 1 else ""
        stack += [
            Service(
                f"action server{number}",
                [sys.executable, "-m", "bot.actions.server"],
                f"{settings.action_urls[n]}/health",
                {
                    **QUIET,
                    ACTION_TOKEN: token,
                    "COMPANION_ACTION_PORT": str(settings.action_port + n),
                },
            ),
            Service(
                f"rasa{number}",
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
                    str(settings.rasa_port + n),
                ],
                f"{settings.rasa_urls[n]}/",
                {**QUIET, **rasa_environment(settings, token, n)},
            ),
        ]
    stack.append(
        Service(
            "web app",
            [sys.executable, "-m", "bot.web.app"],
            f"{settings.web_url}/healthz",
            QUIET,
        )
    )
    return stack


@dataclass(frozen=True)
class Restarts:
    """When a service that died starts again, and when its dying is a crash loop."""

    first_delay: float = 1.0
    longest_delay: float = 30.0
    crash_loop: int = 5  # restarts of one service within `window` s: no more
    window: float = 60.0
    steady: float = 60.0  # running this long, a service that dies is restarted at once

    def delay(self, quick_deaths: int) -> float:
        if quick_deaths == 0:
            return 0.0
        return min(self.longest_delay, self.first_delay * 2 ** (quick_deaths - 1))


class Supervisor:
    def __init__(
        self,
        stack: list[Service],
        settings: Settings,
        restarts: Restarts = Restarts(),  # noqa: B008 (frozen)
    ):
        self.stack = stack
        self.start_timeout = settings.start_timeout
        self.log_dir = settings.var_dir / "log"
        self.state_path = stack_state_path(settings.var_dir)
        self.log_max_bytes = int(settings.log_max_mb * (1 << 20))
        self.log_keep = settings.log_keep
        self.restarts = restarts
        self.stopping: str | None = None
        self.log: RotatingLog | None = None

    def say(self, message: str, aloud: bool = True) -> None:
        """To stderr (unless not aloud) and var/log/supervisor.log."""
        if aloud:
            print(message, file=sys.stderr, flush=True)
        if self.log:
            self.log.write(f"{_now()} {message.strip()}\n".encode())

    def _on_signal(self, signum, _frame) -> None:
        # Only a flag: the loops below notice it within a second. Raising here could
        # interrupt a start between the child's fork and its being recorded.
        self.stopping = self.stopping or signal.Signals(signum).name

    def run(self, ready_message: str) -> int:
        """Start, wait for health, print the message, then supervise until a signal or a
        crash loop."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.log = RotatingLog(self.log_dir / "supervisor.log", self.log_max_bytes, self.log_keep)
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        try:
            status = self._run(ready_message)
            if self.stopping:
                self.say(f"\nStopping ({self.stopping}).")
            return status
        finally:
            for sig in STOP_SIGNALS:
                signal.signal(sig, signal.SIG_IGN)
            stop_all([service for service in self.stack if service.process])
            self.state_path.unlink(missing_ok=True)
            self.log.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _start(self, service: Service) -> None:
        service.start(self.log_dir, self.log_max_bytes, self.log_keep)

    def _run(self, ready_message: str) -> int:
        for service in self.stack:
            if self.stopping:
                return 0
            self._start(service)
        deadline = time.monotonic() + self.start_timeout
        waiting = list(self.stack)
        while waiting and not self.stopping:
            for service in list(waiting):
                if service.exited() is not None:
                    self._report(service, "Stopping everything else.")
                    return 1
                if service.healthy():
                    service.state = "running"
                    waiting.remove(service)
            if waiting and time.monotonic() > deadline:
                names = ", ".join(service.name for service in waiting)
                self.say(
                    f"Gave up after {self.start_timeout:.0f} s waiting for: {names}. "
                    f"See the logs in {self.log_dir}. Stopping everything."
                )
                return 1
            time.sleep(0.3)
        if self.stopping:
            return 0
        print(ready_message, flush=True)
        self.say(f"Running: {', '.join(service.name for service in self.stack)}.", aloud=False)
        self._write_state()
        while not self.stopping:
            for service in self.stack:
                if self._watch(service):
                    return 1
            time.sleep(0.3)
        return 0

    def _watch(self, service: Service) -> bool:
        """Restart what died, in its time; True when it is a crash loop."""
        now = time.monotonic()
        if service.restart_at is not None:
            if now >= service.restart_at:
                service.restart_at = None
                service.restarts += 1
                service.last_restart = _now()
                self._start(service)
                self.say(f"Restarted the {service.name} (restart {service.restarts}).")
                self._write_state()
            return False
        status = service.exited()
        if status is not None:
            return self._died(service, status, now)
        if service.state == "starting":
            if service.healthy():
                service.state = "running"
                self.say(f"The {service.name} is running again.")
                self._write_state()
            elif now - service.started > self.start_timeout:
                self.say(
                    f"The {service.name} was not healthy {self.start_timeout:.0f} s after "
                    "its restart: stopping it."
                )
                service.signal(signal.SIGKILL)
        return False

    def _died(self, service: Service, status: int, now: float) -> bool:
        service.last_exit = status
        if now - service.started < self.restarts.steady:
            service.quick_deaths += 1
        else:
            service.quick_deaths = 0
        service.deaths = [t for t in service.deaths if now - t < self.restarts.window] + [now]
        if len(service.deaths) > self.restarts.crash_loop:
            service.state = "stopped"
            self._write_state()
            self._report(
                service,
                f"It was restarted {self.restarts.crash_loop} times in the last "
                f"{self.restarts.window:.0f} s and has stopped again: a crash loop, so not "
                "restarting it. Stopping everything.",
            )
            return True
        delay = self.restarts.delay(service.quick_deaths)
        service.state = "restarting"
        service.restart_at = now + delay
        self._write_state()
        self._report(service, f"Restarting it {f'in {delay:g} s' if delay else 'now'}.")
        return False

    def _report(self, service: Service, then: str) -> None:
        self.say(
            f"\nThe {service.name} stopped unexpectedly ({exit_status(service.exited())}). "
            f"Its log is {service.log_path}; the last lines:\n{service.log_tail()}\n{then}"
        )

    def _write_state(self) -> None:
        state = {"updated": _now(), "services": [service.summary() for service in self.stack]}
        try:
            self.state_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_private(self.state_path, json.dumps(state, indent=1).encode(), replace=True)
        except OSError as error:  # /healthz goes without: the stack runs on
            self.say(f"Could not write {self.state_path} ({error.strerror}).")


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


def run_stack(settings: Settings, ready_message: str) -> int:
    if not MODEL.exists():
        print(
            f"There is no trained model at {MODEL}: run `make run` (it trains one).",
            file=sys.stderr,
        )
        return 1
    return Supervisor(services(settings), settings).run(ready_message)


def main() -> int:
    return run_stack(load_settings(), _ready_message())


if __name__ == "__main__":
    sys.exit(main())
