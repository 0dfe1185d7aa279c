"""`make bench`: our stack side by side with a bare Rasa bot, in one run, on this machine.

Prints, per level of concurrent conversations (1, 10, 50): p50/p95/p99 per turn, turns per
second, errors and the ratios ours/bare; the per-turn median at turns 10, 100 and 400 of
one long conversation; time from start to ready and the memory (RSS) of every process;
`rasa train` cold and cached; the chair's summary of a 30-participant, 4-danger
conference; and the safeguarding pipeline's cost per message (bench/detector.py). Figures
only: nothing here passes or fails (issues 15 and 22 give the targets).

Then one Rasa server and action server against two (`companion serve --replicas 1` and
`--replicas 2`, on PostgreSQL and Redis, both running, driven in turn): the parents'
conversations through the web app's chat, 10 and 50 at once, p50/p95/p99, turns per
second, errors, ready time and memory.

Run: .venv/bin/python -m bench [replicas] [--quick]   (replicas: that part alone;
--quick: fewer conversations, for a try)
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench.conferences import (
    fill_answers,
    parents_conference,
    summary_conference,
    time_summaries,
)
from bench.detector import detector_times
from bench.load import Conversation, Run, drive, web_chat
from bench.stacks import QUIET, RASA_BIN, BareBot, OurStack, SharedStack
from bot.settings import PROJECT_ROOT
from tests.conftest import postgres_unavailable, redis_unavailable

PARENT_PATH = yaml.safe_load((PROJECT_ROOT / "tests/data/family_review_path.yml").read_text())
# rasa init's bot, in the words its stories expect, for as many turns as a parent's path.
MOOD = ["hello", "I am feeling great", "hi there", "very sad", "yes", "good morning",
        "not good", "no", "goodbye", "are you a bot?"]  # fmt: skip
LEVELS = (1, 10, 50)
REPLICA_LEVELS = (10, 50)
LONG_TURNS = 405


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def parent_conversations(codes: list[str], prefix: str) -> list[Conversation]:
    return [
        Conversation(
            f"{prefix}-{n}", [(t["say"].format(code=code), t["expect"]) for t in PARENT_PATH]
        )
        for n, code in enumerate(codes)
    ]


def bare_conversations(count: int, prefix: str) -> list[Conversation]:
    turns = [(MOOD[n % len(MOOD)], "") for n in range(len(PARENT_PATH))]
    return [Conversation(f"{prefix}-{n}", turns) for n in range(count)]


def long_conversation(code: str) -> Conversation:
    """A parent who keeps adding at "anything else?": the same question, 400 times."""
    opening = [(t["say"].format(code=code), t["expect"]) for t in PARENT_PATH[:6]]
    more = [(f"Something else that would help, number {n}", "anything else")
            for n in range(LONG_TURNS - len(opening))]  # fmt: skip
    return Conversation("long-1", opening + more)


def conversations_per_level(at_once: int, quick: bool) -> int:
    return at_once if at_once > 1 else (1 if quick else 3)


def report_level(at_once: int, bare: Run, ours: Run, names=("bare", "ours")) -> None:
    """Two runs side by side: the first, the second, and the second over the first."""
    one, two = names
    print(f"\n{at_once} at once: {len(bare.seconds)} turns {one}, {len(ours.seconds)} {two}")
    print(f"  {'':14}{one:>12}{two:>12}{f'{two}/{one}':>11}")
    for p in (50, 95, 99):
        b, o = bare.percentile(p), ours.percentile(p)
        print(f"  {'p' + str(p):14}{ms(b):>12}{ms(o):>12}{o / b:>10.2f}x")
    b, o = bare.turns_per_second, ours.turns_per_second
    print(f"  {'turns/s':14}{b:>12.1f}{o:>12.1f}{o / b:>10.2f}x")
    print(f"  {'errors':14}{len(bare.errors):>12}{len(ours.errors):>12}")
    for error in (ours.errors + bare.errors)[:5]:
        print(f"    {error}")


def train_times() -> tuple[float, float]:
    """Our `rasa train`, with an empty cache and then with that cache."""
    folder = Path(tempfile.mkdtemp(prefix="bench-train-"))
    env = {**os.environ, **QUIET, "RASA_CACHE_DIRECTORY": str(folder / "cache")}
    times = []
    for out in ("cold", "cached"):  # a new folder each time: no earlier model to keep
        began = time.monotonic()
        subprocess.run(
            [str(RASA_BIN / "rasa"), "train", "--out", str(folder / out)],
            cwd=PROJECT_ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip
        times.append(time.monotonic() - began)
    shutil.rmtree(folder)
    return times[0], times[1]


def summary_times(stack: OurStack) -> tuple[int, float, float]:
    """The chair's summary (and the family's) of a generated 30 x 4 conference."""
    file = stack.folder / "summary-conference.yml"
    file.write_text(summary_conference(participants=30, dangers=4))
    conference_id = json.loads(stack.companion("conference", "import", str(file)))["conference_id"]
    stored = fill_answers(stack.env, conference_id)
    return stored, *time_summaries(stack.env, conference_id)


def replicas(quick: bool) -> None:
    """`companion serve --replicas 1` against `--replicas 2`, on PostgreSQL and Redis, the
    parents' conversations through the web app as chat.js sends them. Both stacks run at
    once, driven in turn (one, two, one, two ...), so that whatever else the machine is
    doing weighs on both alike; an idle stack costs next to nothing."""
    print("\none Rasa server and action server against two (--replicas 1 and 2), both on "
          "PostgreSQL and Redis, through the web app's chat, driven in turn")  # fmt: skip
    reason = postgres_unavailable() or redis_unavailable()
    if reason:
        print(f"  not measured: {reason}")
        return
    rounds = 1 if quick else 2
    stacks, codes = {n: SharedStack(n) for n in (1, 2)}, {}
    runs = {(n, level): Run() for n in stacks for level in REPLICA_LEVELS}
    try:
        for n, stack in stacks.items():
            stack.start()
            file = stack.folder / "parents.yml"
            file.write_text(parents_conference(rounds * sum(REPLICA_LEVELS)))
            imported = json.loads(stack.companion("conference", "import", str(file)))
            codes[n] = [i["code"] for i in imported["invites"] if i["role"] == "parent"]
        for level in REPLICA_LEVELS:
            for turn in range(rounds):
                for n, stack in stacks.items():
                    mine, codes[n] = codes[n][:level], codes[n][level:]
                    chats = parent_conversations(mine, f"r{n}-{level}-{turn}")
                    runs[n, level].add(drive(web_chat(stack.web_url), chats, level))
        memory = {n: stack.rss_mb() for n, stack in stacks.items()}
    finally:
        for stack in stacks.values():
            stack.stop()
    for level in REPLICA_LEVELS:
        report_level(level, runs[1, level], runs[2, level], ("one", "two"))
    ready = {n: stack.ready_seconds for n, stack in stacks.items()}
    print(f"  ready after start: one {ready[1]:.1f} s, two {ready[2]:.1f} s; memory (RSS, "
          f"all processes): one {memory[1]:,.0f} MB, two {memory[2]:,.0f} MB")  # fmt: skip


def main(quick: bool) -> None:
    print(f"Conference Companion bench, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores")
    count, median, p95, slowest = detector_times()
    print(f"\nsafeguarding, per message on one core ({count} messages in context): "
          f"median {ms(median)}, p95 {ms(p95)}, slowest {ms(slowest)}")  # fmt: skip
    bare, ours = BareBot(), OurStack()
    try:
        bare.build()
        bare.start()
        ours.start()
        ready = (bare.ready_seconds, ours.ready_seconds)
        print(f"\nready after start: bare {ready[0]:.1f} s, ours {ready[1]:.1f} s "
              f"({ready[1] / ready[0]:.2f}x)")  # fmt: skip

        counts = {level: conversations_per_level(level, quick) for level in LEVELS}
        file = ours.folder / "parents.yml"
        file.write_text(parents_conference(sum(counts.values()) + 1))
        codes = [i["code"] for i in json.loads(ours.companion("conference", "import", str(file)))[
            "invites"] if i["role"] == "parent"]  # fmt: skip
        for level in LEVELS:
            mine, codes = codes[: counts[level]], codes[counts[level] :]
            ours_run = drive(ours.webhook, parent_conversations(mine, f"l{level}"), level)
            bare_run = drive(bare.webhook, bare_conversations(counts[level], f"l{level}"), level)
            report_level(level, bare_run, ours_run)

        long = drive(ours.webhook, [long_conversation(codes[0])], 1)
        print(f"\none long conversation ({len(long.seconds)} turns, errors {len(long.errors)}):")
        for turn in (10, 100, 400):
            window = long.seconds[turn - 5 : turn + 5]
            print(f"  median per turn around turn {turn}: {ms(statistics.median(window))}")
        late, early = (
            statistics.median(long.seconds[395:405]),
            statistics.median(long.seconds[5:15]),
        )
        print(f"  turn 400 / turn 10: {late / early:.2f}x")

        memory_bare, memory_ours = bare.rss_mb(), ours.rss_mb()
        print(f"\nmemory (RSS, all processes): bare {memory_bare:,.0f} MB, ours "
              f"{memory_ours:,.0f} MB ({memory_ours / memory_bare:.2f}x)")  # fmt: skip
        for pid, command, size in ours.processes():
            print(f"  {size:>7,.0f} MB  {command}")

        turns, chair, family = summary_times(ours)
        print(f"\nsummary of 30 participants x 4 dangers ({turns} answers given): "
              f"chair {ms(chair)}, family {ms(family)} (median of 5)")  # fmt: skip
    finally:
        ours.stop()
        bare.stop()
    cold, cached = train_times()
    print(f"\nrasa train (ours): cold {cold:.1f} s, cached {cached:.1f} s")
    replicas(quick)


if __name__ == "__main__":
    only_replicas = "replicas" in sys.argv[1:]
    (replicas if only_replicas else main)(quick="--quick" in sys.argv[1:])
