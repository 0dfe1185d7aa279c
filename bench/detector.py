"""The safeguarding pipeline's cost per message, on one core, in this process: every
message of the corpora in context judged as the chat judges it (detector, then judge.py).
Issue 22's target: within 20 ms at the 95th percentile."""

from __future__ import annotations

import csv
import statistics
import time
from pathlib import Path

from bot.safeguarding.detector import assess, warm
from bot.safeguarding.judge import Context, judge
from bot.settings import PROJECT_ROOT

CORPORA = [
    *sorted((PROJECT_ROOT / "bot/safeguarding/corpus").glob("context_*.tsv")),
    *sorted((PROJECT_ROOT / "tests/data/safeguarding/context").glob("*.tsv")),
]


def messages(paths: list[Path] = CORPORA) -> list[tuple[str, str]]:
    found = []
    for path in paths:
        with open(path, encoding="utf-8", newline="") as file:
            rows = csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
            found += [(row[1], row[4]) for row in rows if len(row) == 5]
    return found


def detector_times() -> tuple[int, float, float, float]:
    """How many messages, and the median, 95th percentile and slowest, in seconds."""
    warm()
    seconds = []
    for audience, text in messages():
        start = time.perf_counter()
        judge(assess(text), Context(audience, False))
        seconds.append(time.perf_counter() - start)
    seconds.sort()
    return len(seconds), statistics.median(seconds), seconds[int(len(seconds) * 0.95)], seconds[-1]
