"""The chaos script's short version (scripts/chaos.py; the long run is 200 conversations and
30 kills or more): whole conversations in the web chat while Rasa, the action server and
the web app are SIGKILLed at random moments and restarted by the supervisor, and some
answers are lost on their way back. Every typed answer the chat acknowledged is stored
exactly once, nothing is stored that was not, and each person who left halfway comes back
to the question they were at."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

from tests.conftest import PROJECT_ROOT

LONGEST = 600  # s: far beyond a run on a busy machine; then the script stops its stack


def test_conversations_survive_services_killed_at_random_and_lose_and_duplicate_nothing(
    tmp_path,
):
    chaos = subprocess.Popen(
        [
            sys.executable,
            str(PROJECT_ROOT / "scripts" / "chaos.py"),
            *("--conversations", "10", "--parallel", "10", "--kills", "3", "--most-kills", "6"),
            *("--kill-every", "15", "--pause", "1", "3"),
            *("--var-dir", str(tmp_path / "var"), "--json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    try:
        out, err = chaos.communicate(timeout=LONGEST)
    except subprocess.TimeoutExpired:
        chaos.send_signal(signal.SIGTERM)  # it stops the stack it started
        out, err = chaos.communicate(timeout=120)
        raise AssertionError(f"the chaos run took over {LONGEST} s:\n{out}\n{err[-3000:]}")
    assert chaos.returncode == 0, out + err[-3000:]
    figures = json.loads(out.strip().splitlines()[-1])
    assert 3 <= figures["kills"] <= 6 and len(figures["kills_by_service"]) >= 2
    assert figures["lost"] == figures["duplicated"] == 0
    assert figures["stored_never_acknowledged"] == figures["replaced"] == 0
    assert figures["resumed_elsewhere"] == figures["errors"] == figures["gave_up"] == 0
    assert figures["finished"] > 0 and figures["answers_dropped"] > 0
