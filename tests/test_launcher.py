"""`companion serve` never leaves a silent half stack: it stops together, or says why not."""

from __future__ import annotations

import os
import re
import signal
import socket
import time
from pathlib import Path

import requests

from tests.conftest import Launcher, free_port, stack_environment


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_sigterm_stops_every_process_it_started(tmp_path):
    launcher = Launcher(stack_environment(tmp_path), "--demo")
    launcher.wait_ready()
    settings = launcher.settings
    assert "Demo conference invites" in launcher.output
    assert requests.get(f"{settings.action_url}/health", timeout=10).status_code == 200
    # the demo coordinator's link signs in to the coordinator's desk
    link = re.search(r"coordinator's desk.*\n\s+(\S+/staff/sign-in/(\S+))", launcher.output)
    browser = requests.Session()
    assert "Sign in" in browser.get(link.group(1), timeout=10).text
    desk = browser.post(f"{settings.web_url}/staff/sign-in", data={"token": link.group(2)},
                        timeout=10)  # fmt: skip
    assert desk.status_code == 200 and "Set up a conference" in desk.text
    assert launcher.stop() == 0
    for port in (settings.rasa_port, settings.action_port, settings.web_port):
        assert _port_is_free(port), port


def _children(pid: int) -> dict[int, str]:
    """The launcher's child processes: pid -> command line."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                children[int(stat.parent.name)] = cmdline
        except (OSError, IndexError, ValueError):
            continue
    return children


def _gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"  # a zombie has stopped


def test_a_service_that_dies_while_serving_is_restarted_alone_and_shown_on_healthz(tmp_path):
    launcher = Launcher(stack_environment(tmp_path))
    launcher.wait_ready()
    children = _children(launcher.process.pid)
    action_server = next(pid for pid, cmd in children.items() if "bot.actions.server" in cmd)
    others = {pid for pid in children if pid != action_server}
    os.kill(action_server, signal.SIGKILL)
    health = f"{launcher.settings.web_url}/healthz"
    deadline = time.monotonic() + 60
    while True:
        services = {s["name"]: s for s in requests.get(health, timeout=10).json()["services"]}
        action = services["action server"]
        if action["state"] == "running" and action["restarts"] == 1:
            break
        assert time.monotonic() < deadline, services
        time.sleep(0.3)
    assert action["last_exit"] == -9
    assert services["rasa"]["restarts"] == services["web app"]["restarts"] == 0
    assert others <= set(_children(launcher.process.pid))  # Rasa and the web app ran on
    assert launcher.say("restart-test", "hello")  # through Rasa to the new action server
    assert "The action server stopped unexpectedly (exit status -9, killed by SIGKILL)" in (
        launcher.output
    )
    assert "Restarted the action server (restart 1)." in launcher.output
    # A closed terminal sends SIGHUP to the supervisor alone: its services, in sessions of
    # their own, ran on without it. Now everything stops, the restarted one too.
    services = list(_children(launcher.process.pid))
    launcher.process.send_signal(signal.SIGHUP)
    assert launcher.wait_exit(timeout=60) == 0, launcher.output
    assert "Stopping (SIGHUP)." in launcher.output
    assert all(_gone(pid) for pid in services)
    for port in (
        launcher.settings.rasa_port,
        launcher.settings.action_port,
        launcher.settings.web_port,
    ):
        assert _port_is_free(port), port


def test_a_service_that_cannot_start_is_reported_and_the_launcher_exits_non_zero(tmp_path):
    env = stack_environment(tmp_path)
    with socket.socket() as taken:  # the web app cannot bind its port, so it exits
        taken.bind(("127.0.0.1", int(env["COMPANION_WEB_PORT"])))
        taken.listen()
        launcher = Launcher(env)
        assert launcher.wait_exit(timeout=120) == 1
    assert "The web app stopped unexpectedly" in launcher.output
    assert "Stopping everything else" in launcher.output
    assert _port_is_free(launcher.settings.rasa_port)
    assert _port_is_free(launcher.settings.action_port)


def test_a_tracker_store_that_does_not_answer_stops_the_start(tmp_path):
    # Rasa would log the error and serve anyway, losing every conversation.
    env = stack_environment(
        tmp_path, TRACKER_STORE_URL=f"postgresql://postgres:secret@127.0.0.1:{free_port()}/nowhere"
    )
    launcher = Launcher(env)
    assert launcher.wait_exit(timeout=60) == 1
    assert (
        "Not starting: TRACKER_STORE_URL (postgresql://postgres:***@127.0.0.1:" in launcher.output
    )
    assert "secret" not in launcher.output
    assert not (tmp_path / "log").exists(), "nothing should have been started"


def test_a_redis_that_does_not_answer_stops_the_start(tmp_path):
    launcher = Launcher(stack_environment(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/1"))
    assert launcher.wait_exit(timeout=60) == 1
    assert "Not starting: REDIS_URL does not answer" in launcher.output


def test_a_service_that_is_not_healthy_in_time_stops_everything(tmp_path):
    launcher = Launcher(stack_environment(tmp_path, COMPANION_START_TIMEOUT="1"))
    assert launcher.wait_exit(timeout=60) == 1
    assert "Gave up after 1 s waiting for: " in launcher.output and "rasa" in launcher.output
    for port in (
        launcher.settings.rasa_port,
        launcher.settings.action_port,
        launcher.settings.web_port,
    ):
        assert _port_is_free(port), port


def test_an_application_database_that_does_not_answer_stops_the_start(tmp_path):
    launcher = Launcher(
        stack_environment(tmp_path, DATABASE_URL=f"postgresql://postgres@127.0.0.1:{free_port()}/x")
    )
    assert launcher.wait_exit(timeout=60) == 1
    assert "Not starting: DATABASE_URL (postgresql://postgres@127.0.0.1:" in launcher.output
