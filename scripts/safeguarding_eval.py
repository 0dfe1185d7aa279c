"""Recall and false alarms of the safeguarding detector, per category, on the corpora in
tests/data/safeguarding/corpus/ (written apart from the detector, in people's own words).

    .venv/bin/python scripts/safeguarding_eval.py [tuning|held_out ...]

A disclosure counts as caught when the detector says immediate danger (the questions stop);
"concern" is shown too (recorded for the chair, no interrupt). An everyday message is a
false alarm when it interrupts. held_out.tsv is for reporting, never for tuning.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

from bot.safeguarding.detector import CONCERN, IMMEDIATE, assess

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "safeguarding" / "corpus"


def read(name: str) -> list[tuple[str, str, str]]:
    with open(CORPUS / f"{name}.tsv", encoding="utf-8", newline="") as file:
        rows = csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [tuple(row) for row in rows if len(row) == 3 and not row[0].startswith("#")]


def evaluate(name: str) -> None:
    counts = defaultdict(lambda: {"n": 0, IMMEDIATE: 0, CONCERN: 0})
    for label, category, text in read(name):
        finding = assess(text)
        row = counts[(label, category)]
        row["n"] += 1
        if finding is not None:
            row[finding.tier] += 1
    print(f"\n{name}.tsv")
    print(f"{'':10} {'category':28} {'n':>5} {'interrupt':>10} {'concern':>8} {'nothing':>8}")
    for label in ("immediate", "everyday"):
        rows = {c: r for (lab, c), r in counts.items() if lab == label}
        for category, row in sorted(rows.items()):
            nothing = row["n"] - row[IMMEDIATE] - row[CONCERN]
            print(
                f"{label:10} {category:28} {row['n']:5} {row[IMMEDIATE] / row['n']:10.1%} "
                f"{row[CONCERN] / row['n']:8.1%} {nothing / row['n']:8.1%}"
            )
        total = sum(r["n"] for r in rows.values())
        fired = sum(r[IMMEDIATE] for r in rows.values())
        what = "recall" if label == "immediate" else "false alarms"
        print(f"{label:10} {'ALL (' + what + ')':28} {total:5} {fired / total:10.1%}")


if __name__ == "__main__":
    for corpus in sys.argv[1:] or ["tuning"]:
        evaluate(corpus)
