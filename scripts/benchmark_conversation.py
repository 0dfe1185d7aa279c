"""Measure a parent's whole conversation through the real stack: turns and reply times.

Starts its own stack (`companion serve`) on free ports in a temporary folder, imports the
demo conference, walks tests/data/family_review_path.yml for several parents one after
another (or several at once), and prints the figures.
Run: .venv/bin/python scripts/benchmark_conversation.py [runs] [parents at once]
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import yaml
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PATH = yaml.safe_load((ROOT / "tests" / "data" / "family_review_path.yml").read_text())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(runs: int, parallel: int) -> None:
    var_dir = Path(tempfile.mkdtemp(prefix="companion-benchmark-"))
    env = {
        **os.environ,
        "COMPANION_VAR_DIR": str(var_dir),
        "COMPANION_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "COMPANION_RASA_PORT": str(free_port()),
        "COMPANION_ACTION_PORT": str(free_port()),
        "COMPANION_WEB_PORT": str(free_port()),
    }
    webhook = f"http://127.0.0.1:{env['COMPANION_RASA_PORT']}/webhooks/rest/webhook"
    log = open(var_dir / "serve.out", "w")
    started = time.monotonic()
    server = subprocess.Popen([str(BIN / "companion"), "serve"], env=env, stdout=log, stderr=log)
    try:
        while "Press Ctrl-C" not in (var_dir / "serve.out").read_text():
            if server.poll() is not None:
                sys.exit(f"the stack did not start: see {var_dir / 'serve.out'}")
            time.sleep(0.3)
        print(f"stack ready in {time.monotonic() - started:.1f} s")
        codes = []
        for _ in range(runs):
            imported = subprocess.run(
                [
                    str(BIN / "companion"),
                    "conference",
                    "import",
                    str(ROOT / "examples" / "demo-conference.yml"),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            codes.append(json.loads(imported.stdout)["invites"][0]["code"])

        def walk(run: int) -> list[float]:
            times = []
            for turn in PATH:
                began = time.perf_counter()
                replies = requests.post(
                    webhook,
                    json={"sender": f"bench-{run}", "message": turn["say"].format(code=codes[run])},
                    timeout=120,
                ).json()
                times.append(time.perf_counter() - began)
                if turn["expect"] not in replies[-1]["text"]:
                    sys.exit(f"unexpected reply to {turn['say']!r}: {replies[-1]['text']!r}")
            return times

        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            times = [t for run_times in pool.map(walk, range(runs)) for t in run_times]
        elapsed = time.monotonic() - began
        times.sort()
        print(f"turns in the full parent path: {len(PATH)}")
        print(
            f"runs: {runs}, {parallel} at once, turns measured: {len(times)}, "
            f"{len(times) / elapsed:.1f} turns/s"
        )
        print(
            f"reply time per turn: median {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {times[int(len(times) * 0.95) - 1] * 1000:.0f} ms, "
            f"max {times[-1] * 1000:.0f} ms"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5, int(sys.argv[2]) if len(sys.argv) > 2 else 1)
