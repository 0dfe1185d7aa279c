"""The real supervisor (bot/launcher/supervise.py) over small services that start in a
blink, so restarts, crash loops, signals and log rotation are tried in seconds.

`python -m tests.fake_stack supervise SPEC` runs the supervisor; SPEC is JSON: the var
directory, the services ({"name", "port", and optionally "crash_on_restart": true, "chatter":
bytes to print at start}) and the restart timings. `python -m tests.fake_stack service PORT
DIR [crash_on_restart] [CHATTER]` is one service: it answers /health, notes each start's
time in DIR/<port>.starts, and prints CHATTER bytes to its log.
"""

from __future__ import annotations

import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path


class _Health(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def service(port: int, directory: Path, crash_on_restart: bool, chatter: int) -> None:
    starts = directory / f"{port}.starts"
    restarted = starts.exists()
    with open(starts, "a") as file:
        file.write(f"{time.time()}\n")
    print(f"service on {port} starting", flush=True)
    if crash_on_restart and restarted:
        print("something is wrong: exiting", flush=True)
        sys.exit(3)
    line = b"x" * 99 + b"\n"
    for _ in range(chatter // len(line)):
        sys.stdout.buffer.write(line)
    sys.stdout.flush()
    HTTPServer(("127.0.0.1", port), _Health).serve_forever()


def supervise(spec: dict) -> int:
    from bot.launcher.supervise import Restarts, Service, Supervisor
    from bot.settings import load_settings

    directory = Path(spec["var_dir"])
    stack = [
        Service(
            one["name"],
            [
                sys.executable,
                "-m",
                "tests.fake_stack",
                "service",
                str(one["port"]),
                str(directory),
                "crash_on_restart" if one.get("crash_on_restart") else "serve",
                str(one.get("chatter", 0)),
            ],
            f"http://127.0.0.1:{one['port']}/health",
            {},
        )
        for one in spec["services"]
    ]
    settings = load_settings({**os.environ, "COMPANION_VAR_DIR": str(directory)})
    return Supervisor(stack, settings, Restarts(**spec.get("restarts", {}))).run("Ready.")


if __name__ == "__main__":
    if sys.argv[1] == "service":
        port, directory, mode, chatter = sys.argv[2:6]
        service(int(port), Path(directory), mode == "crash_on_restart", int(chatter))
    else:
        sys.exit(supervise(json.loads(sys.argv[2])))
