"""The supervisor keeps the stack running: a service that dies is restarted alone, later
each time it dies again soon; a crash loop stops everything, saying why; every stop signal
stops every service; logs do not grow without limit.

Most tests run the real supervisor over small services that start in a blink
(tests/fake_stack.py); the last ones run `companion serve` itself."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from bot.launcher.rotating import RotatingLog
from bot.launcher.supervise import Restarts, Service
from bot.settings import PROJECT_ROOT
from tests.conftest import Launcher, free_port, stack_environment
from tests.test_launcher import _children, _gone, _port_is_free


class FakeStack:
    """The supervisor over fake services named alpha and beta, its output in a file."""

    def __init__(self, var_dir: Path, env: dict | None = None, **spec):
        self.var_dir = var_dir
        self.ports = {"alpha": free_port(), "beta": free_port()}
        spec = {
            "var_dir": str(var_dir),
            "services": [
                {"name": name, "port": port, **spec.pop(name, {})}
                for name, port in self.ports.items()
            ],
            **spec,
        }
        self.output_path = var_dir / "supervisor.out"
        with open(self.output_path, "w") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.fake_stack", "supervise", json.dumps(spec)],
                cwd=PROJECT_ROOT,
                env={**os.environ, **(env or {})},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.wait_for(lambda: "Ready." in self.output, "the fake stack to be ready")

    @property
    def output(self) -> str:
        return self.output_path.read_text()

    def wait_for(self, condition, what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"no {what} in {timeout} s:\n{self.output}")
            time.sleep(0.05)

    def pid(self, name: str) -> int:
        port = str(self.ports[name])
        return next(
            pid
            for pid, command in _children(self.process.pid).items()
            if f" service {port} " in command
        )

    def state(self) -> dict:
        try:
            services = json.loads((self.var_dir / "run" / "stack.json").read_text())["services"]
        except (OSError, ValueError):
            return {}
        return {service["name"]: service for service in services}

    def starts(self, name: str) -> list[float]:
        path = self.var_dir / f"{self.ports[name]}.starts"
        return [float(line) for line in path.read_text().split()]

    def stop(self, signum: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.process.wait(timeout=30)


def test_a_service_that_dies_is_restarted_alone_and_the_restart_is_counted(tmp_path):
    stack = FakeStack(tmp_path)
    alpha, beta = stack.pid("alpha"), stack.pid("beta")
    os.kill(alpha, signal.SIGKILL)
    stack.wait_for(
        lambda: (
            stack.state().get("alpha", {}).get("state") == "running"
            and stack.state()["alpha"]["restarts"] == 1
        ),
        "restart of alpha",
    )
    assert stack.process.poll() is None, stack.output
    assert stack.pid("beta") == beta  # the other one never stopped
    assert stack.pid("alpha") != alpha
    assert requests.get(f"http://127.0.0.1:{stack.ports['alpha']}/health", timeout=5).ok
    state = stack.state()
    assert state["alpha"]["last_exit"] == -9 and state["alpha"]["last_restart"]
    assert state["beta"] == {
        "name": "beta",
        "state": "running",
        "restarts": 0,
        "last_restart": None,
        "last_exit": None,
    }
    said = (
        "The alpha stopped unexpectedly (exit status -9, killed by SIGKILL). "
        f"Its log is {tmp_path / 'log' / 'alpha.log'}; the last lines:\n"
        f"service on {stack.ports['alpha']} starting\nRestarting it in 1 s."
    )
    assert said in stack.output
    assert "Restarted the alpha (restart 1)." in stack.output
    assert "The alpha is running again." in stack.output
    logged = (tmp_path / "log" / "supervisor.log").read_text()
    assert "Running: alpha, beta." in logged
    assert "The alpha stopped unexpectedly (exit status -9, killed by SIGKILL)" in logged
    assert "Restarted the alpha (restart 1)." in logged
    assert stack.stop() == 0
    assert not (tmp_path / "run" / "stack.json").exists()  # no stack: nothing to show


def test_a_service_dying_again_soon_waits_longer_each_time_and_a_crash_loop_stops_all(
    tmp_path,
):
    stack = FakeStack(
        tmp_path,
        alpha={"crash_on_restart": True},
        restarts={"first_delay": 0.1},
    )
    os.kill(stack.pid("alpha"), signal.SIGKILL)
    assert stack.process.wait(timeout=30) == 1, stack.output
    starts = stack.starts("alpha")
    assert len(starts) == 6, stack.output  # the first start, then five restarts
    waits = [later - earlier for earlier, later in zip(starts[1:], starts[2:])]
    for wait, backoff in zip(waits, (0.2, 0.4, 0.8, 1.6)):
        assert wait >= backoff, waits
    assert waits == sorted(waits), waits
    assert "Restarting it in 0.1 s." in stack.output
    assert "Restarting it in 1.6 s." in stack.output
    assert (
        "The alpha stopped unexpectedly (exit status 3). "
        f"Its log is {tmp_path / 'log' / 'alpha.log'}; the last lines:\n"
    ) in stack.output
    assert "something is wrong: exiting" in stack.output  # the service's own last words
    assert (
        "It was restarted 5 times in the last 60 s and has stopped again: a crash loop, "
        "so not restarting it. Stopping everything."
    ) in stack.output
    assert "crash loop" in (tmp_path / "log" / "supervisor.log").read_text()
    assert _port_is_free(stack.ports["beta"])


def test_a_service_that_keeps_dying_slowly_is_not_a_crash_loop_and_keeps_being_restarted(
    tmp_path,
):
    # Five restarts within the window stop everything; spread wider they do not (here
    # the window is 0.3 s, and the waits grow past it: 0.1 s, 0.2 s, 0.4 s ...).
    stack = FakeStack(
        tmp_path,
        alpha={"crash_on_restart": True},
        restarts={"first_delay": 0.1, "window": 0.3, "longest_delay": 0.5},
    )
    os.kill(stack.pid("alpha"), signal.SIGKILL)
    stack.wait_for(lambda: len(stack.starts("alpha")) >= 9, "eight restarts")
    assert stack.process.poll() is None, stack.output
    assert "Restarting it in 0.5 s." in stack.output  # the longest wait
    assert stack.stop() == 0


def test_a_service_that_ran_steadily_is_restarted_at_once(tmp_path):
    stack = FakeStack(tmp_path, restarts={"steady": 0.5})
    time.sleep(0.6)
    os.kill(stack.pid("beta"), signal.SIGTERM)
    stack.wait_for(lambda: "Restarted the beta (restart 1)." in stack.output, "restart")
    assert "(exit status -15, killed by SIGTERM)" in stack.output
    assert "Restarting it now." in stack.output
    assert stack.stop() == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT])
def test_every_stop_signal_stops_every_service(tmp_path, signum):
    stack = FakeStack(tmp_path)
    pids = [stack.pid("alpha"), stack.pid("beta")]
    assert stack.stop(signum) == 0
    assert f"Stopping ({signal.Signals(signum).name})." in stack.output
    assert all(_gone(pid) for pid in pids)
    assert all(_port_is_free(port) for port in stack.ports.values())


def test_logs_start_a_new_file_past_their_size_and_keep_a_few(tmp_path):
    stack = FakeStack(
        tmp_path,
        env={"COMPANION_LOG_MAX_MB": "0.01", "COMPANION_LOG_KEEP": "2"},
        alpha={"chatter": 50_000},
    )
    log = tmp_path / "log" / "alpha.log"
    assert stack.stop() == 0
    kept = sorted(path.name for path in log.parent.glob("alpha.log*"))
    assert kept == ["alpha.log", "alpha.log.1", "alpha.log.2"]
    for path in log.parent.glob("alpha.log*"):
        assert 0 < path.stat().st_size <= 0.01 * (1 << 20), path
        assert path.stat().st_mode & 0o077 == 0, path  # the service's user's alone
    assert "service on" not in log.read_text()  # the first lines went with the oldest


def test_a_rotating_log_starts_new_files_at_line_ends_and_keeps_order(tmp_path):
    log = RotatingLog(tmp_path / "x.log", max_bytes=10, keep=3)
    log.write(b"one\ntwo\nthree\n")  # one read of the pipe, over the size
    log.write(b"four\n")
    log.write(b"a line longer than ten\n")
    log.close()
    names = ["x.log.3", "x.log.2", "x.log.1", "x.log"]
    assert [(tmp_path / name).read_bytes() for name in names] == [
        b"four\n",  # one, two and three went with the oldest file
        b"a line lon",
        b"ger than t",
        b"en\n",
    ]


def test_restart_timings_double_up_to_their_limit():
    restarts = Restarts(first_delay=1, longest_delay=30)
    assert [restarts.delay(n) for n in range(8)] == [0, 1, 2, 4, 8, 16, 30, 30]


# `companion serve` itself.


def test_a_signal_while_preparing_stops_before_anything_starts(tmp_path):
    launcher = Launcher(stack_environment(tmp_path), "--demo")
    time.sleep(1)  # checking and migrating the database: nothing started yet
    launcher.process.send_signal(signal.SIGTERM)
    assert launcher.wait_exit(timeout=30) != 0
    time.sleep(1)
    assert not (tmp_path / "log").exists() or not list((tmp_path / "log").glob("rasa*"))
    settings = launcher.settings
    for port in (settings.rasa_port, settings.action_port, settings.web_port):
        assert _port_is_free(port), port


def test_a_request_its_sender_gave_up_on_is_one_plain_line_in_the_log(tmp_path):
    from bot.model.database import migrate
    from bot.settings import load_settings

    env = stack_environment(tmp_path)
    settings = load_settings(env)
    migrate(settings.database_url)
    log = tmp_path / "web-app.log"
    with open(log, "wb") as output:
        web_app = subprocess.Popen(
            [sys.executable, "-m", "bot.web.app"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while _port_is_free(settings.web_port):
            assert time.monotonic() < deadline and web_app.poll() is None, log.read_text()
            time.sleep(0.1)
        for _ in range(3):  # a form posted on a train going into a tunnel
            with socket.create_connection(("127.0.0.1", settings.web_port)) as sock:
                sock.sendall(
                    b"POST /chat/start HTTP/1.1\r\nHost: localhost\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: 1000\r\n\r\ncode=abc"
                )
        time.sleep(1)
        assert requests.get(f"{settings.web_url}/healthz", timeout=10).ok
    finally:
        web_app.terminate()
        web_app.wait(timeout=30)
    text = log.read_text()
    assert text.count("A request ended early: the other end went away (Connection lost).") == 3
    assert "Traceback" not in text and "Error handling request" not in text


UNIT = PROJECT_ROOT / "deploy" / "companion.service"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def _directives(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_the_systemd_unit_restarts_on_failure_as_its_own_user_on_a_read_only_root():
    unit = _directives(UNIT.read_text())
    assert unit["ExecStart"] == ["/opt/companion/.venv/bin/companion serve"]
    assert unit["Restart"] == ["on-failure"]
    assert unit["User"] == ["companion"] and unit["Group"] == ["companion"]
    assert unit["ProtectSystem"] == ["strict"]
    assert unit["ReadWritePaths"] == ["/opt/companion/var"]  # nothing else writable
    assert unit["EnvironmentFile"] == ["/etc/companion/companion.env"]
    for setting in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices"):
        assert unit[setting] == ["yes"], setting
    assert unit["CapabilityBoundingSet"] == [""] and unit["UMask"] == ["0077"]


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed here")
def test_systemd_analyze_verifies_the_unit(tmp_path):
    # The unit names /opt/companion; verify checks that ExecStart's program exists, so the
    # copy checked points at this checkout. Verify only warns of an unknown or malformed
    # directive: any word from it fails the test.
    copy = tmp_path / "companion.service"
    copy.write_text(UNIT.read_text().replace("/opt/companion", str(PROJECT_ROOT)))
    assert _verify(copy) == (0, "")
    broken = tmp_path / "broken.service"  # and it does say so
    broken.write_text(copy.read_text().replace("ProtectSystem=strict", "ProtectSystem=stritc"))
    assert "Failed to parse protect system value" in _verify(broken)[1]


def _verify(unit: Path) -> tuple[int, str]:
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    return result.returncode, (result.stdout + result.stderr).strip()


def test_a_supervisor_killed_outright_leaves_no_service_running(tmp_path):
    stack = FakeStack(tmp_path)
    pids = [stack.pid("alpha"), stack.pid("beta")]
    assert stack.stop(signal.SIGKILL) == -9  # nothing it can catch
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in pids):
        assert time.monotonic() < deadline, "a service ran on without its supervisor"
        time.sleep(0.05)
    assert all(_port_is_free(port) for port in stack.ports.values())


def test_a_health_check_answered_by_something_not_http_is_not_healthy():
    """A port not yet the service's own may answer with anything (even the check's own
    request, read back): not healthy, never a crash of the supervisor."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()

        def answer_nonsense():
            connection, _ = server.accept()
            with connection:
                connection.recv(1024)
                connection.sendall(b"GET /health HTTP/1.1\r\n\r\n")

        threading.Thread(target=answer_nonsense, daemon=True).start()
        port = server.getsockname()[1]
        service = Service("action server", ["true"], f"http://127.0.0.1:{port}/health", {})
        assert service.healthy() is False
