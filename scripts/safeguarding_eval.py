"""Recall and false alarms of the safeguarding detector, per category.

    .venv/bin/python scripts/safeguarding_eval.py [tuning] [held_out] [held_out_2] [held_out_3]

`tuning` is bot/safeguarding/corpus/*.tsv, which the classifier is trained on: its
classifier votes come from 5-fold cross-validation, so no message is judged by a model
that saw it. `held_out` and `held_out_2` are tests/data/safeguarding/corpus/*.tsv, each
written apart by another author and never used for tuning: judged by the real detector.
The detector alone, without the question or the person (for that, and for the check, see
scripts/safeguarding_context_eval.py): a disclosure counts as caught when the detector says
immediate danger; "unsure" (the check, in context) and "concern" are shown too. An everyday
message is a false alarm when it is immediate.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from bot.safeguarding import classifier
from bot.safeguarding.detector import CONCERN, IMMEDIATE, UNSURE, assess

HELD_OUT = Path(__file__).resolve().parent.parent / "tests/data/safeguarding/corpus"


def cross_validated(rows) -> dict[str, float]:
    """Each tuning message's classifier probability from a model trained without it."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts = [classifier.normalise(text) for _, _, text in rows]
    labels = [label == "immediate" for label, _, _ in rows]
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    votes = cross_val_predict(classifier.build(), texts, labels, cv=folds, method="predict_proba")
    return {text: vote[1] for (_, _, text), vote in zip(rows, votes)}


def findings(name: str) -> list[tuple[str, str, str, str | None]]:
    """label, category, message, tier found."""
    if name == "tuning":
        rows = classifier.training()
        votes = cross_validated(rows)

        def probabilities(texts):  # a sentence of a message has the message's vote
            return [votes.get(text, votes[texts[0]]) for text in texts]
    else:
        rows = classifier.read(HELD_OUT / f"{name}.tsv")
        probabilities = classifier.probabilities
    found = []
    for label, category, text in rows:
        finding = assess(text, probabilities)
        found.append((label, category, text, finding.tier if finding else None))
    return found


def report(name: str, found) -> dict[str, float]:
    counts = defaultdict(lambda: {"n": 0, IMMEDIATE: 0, UNSURE: 0, CONCERN: 0, None: 0})
    for label, category, _, tier in found:
        counts[(label, category)]["n"] += 1
        counts[(label, category)][tier] += 1
    print(f"\n{name}")
    print(f"{'':10} {'category':28} {'n':>5} {'interrupt':>10} {'unsure':>8} {'concern':>8} "
          f"{'nothing':>8}")  # fmt: skip
    figures = {}
    for label in ("immediate", "everyday"):
        rows = {c: r for (lab, c), r in counts.items() if lab == label}
        for category, row in sorted(rows.items()):
            print(
                f"{label:10} {category:28} {row['n']:5} {row[IMMEDIATE] / row['n']:10.1%} "
                f"{row[UNSURE] / row['n']:8.1%} {row[CONCERN] / row['n']:8.1%} "
                f"{row[None] / row['n']:8.1%}"
            )
        total = sum(r["n"] for r in rows.values())
        fired = sum(r[IMMEDIATE] for r in rows.values())
        asked = sum(r[UNSURE] for r in rows.values())
        what = "recall" if label == "immediate" else "false alarms"
        figures[what] = fired / total
        # in the chat an unsure message gets the check, whose "not safe" brings help
        figures["reach" if label == "immediate" else "asked"] = (fired + asked) / total
        print(f"{label:10} {'ALL (' + what + ')':28} {total:5} {fired / total:10.1%} "
              f"{asked / total:8.1%}")  # fmt: skip
    return figures


if __name__ == "__main__":
    for corpus in sys.argv[1:] or ["tuning"]:
        report(corpus, findings(corpus))
