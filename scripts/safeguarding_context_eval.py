"""The safeguarding pipeline judged in context: each message typed by a kind of person at
a question of the agenda, as the chat would judge it (detector, then judge.py).

    .venv/bin/python scripts/safeguarding_context_eval.py [context_tuning] [held_out_a] ...

the `context_tuning*` corpora are in bot/safeguarding/corpus/ (read while
tuning; the classifier learns from them too, so their votes come from 5-fold
cross-validation: no message is judged by a model that saw it); every other name is
tests/data/safeguarding/context/NAME.tsv, written apart and never read while tuning.
Each line: label, audience, question, register, message. A disclosure (immediate)
reaches help by an interrupt, or by the check (whose "yes" or "not sure" brings help); an
everyday message should be an answer, at most a concern; an unsure one should not be
silent. Figures per set and per audience.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

from bot.agenda.loader import load_agenda
from bot.safeguarding import classifier
from bot.safeguarding.detector import assess
from bot.safeguarding.judge import CHECK, CONCERN, INTERRUPT, NOTHING, Context, judge

ROOT = Path(__file__).resolve().parent.parent
TUNING = ROOT / "bot/safeguarding/corpus"
# the tuning corpora in context: every context_tuning*.tsv the classifier learns from
TUNED = {path.stem for path in TUNING.glob("context_tuning*.tsv")}
HELD_OUT = ROOT / "tests/data/safeguarding/context"
SCALES = {"young_person": "young_scale"}


def read(name: str) -> list[tuple[str, str, str, str, str]]:
    path = (TUNING if name in TUNED else HELD_OUT) / f"{name}.tsv"
    with open(path, encoding="utf-8", newline="") as file:
        rows = csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [tuple(row) for row in rows if len(row) == 5 and not row[0].startswith("#")]


def context_for(audience: str, question: str) -> Context:
    if question.startswith("scale_"):
        question = SCALES.get(audience, "scale")
    asked = load_agenda().question(question)
    return Context(audience, asked.about_harm if asked else False)


def verdicts(name: str) -> list[tuple[tuple, str]]:
    rows = read(name)
    votes = cross_validated(rows) if name in TUNED else [classifier.probabilities] * len(rows)
    return [
        (row, judge(assess(row[4], vote), context_for(row[1], row[2])))
        for row, vote in zip(rows, votes)
    ]


def cross_validated(rows, folds: int = 5) -> list:
    """For each tuning row, the classifier trained on everything but its fold."""
    from sklearn.model_selection import KFold

    training = classifier.training()
    votes = [None] * len(rows)
    for kept, judged in KFold(folds, shuffle=True, random_state=0).split(rows):
        left_out = {rows[i][4] for i in judged}
        taught = [row for row in training if row[2] not in left_out]
        model = classifier.build().fit(
            [classifier.normalise(text) for _, _, text in taught],
            [label == "immediate" for label, _, _ in taught],
        )

        def vote(texts, model=model):
            normalised = [classifier.normalise(text) for text in texts]
            return [float(p) for p in model.predict_proba(normalised)[:, 1]]

        for i in judged:
            votes[i] = vote
    return votes


def report(name: str, judged) -> dict[str, dict[str, float]]:
    groups = defaultdict(Counter)
    for (label, audience, *_), verdict in judged:
        for group in (audience, "all"):
            groups[(label, group)][verdict] += 1
            groups[(label, group)]["n"] += 1
    print(f"\n{name}")
    print(f"{'':10} {'audience':13} {'n':>4} {'interrupt':>10} {'check':>7} {'concern':>8} "
          f"{'nothing':>8}")  # fmt: skip
    figures = {}
    for (label, group), c in sorted(groups.items()):
        n = c["n"]
        print(f"{label:10} {group:13} {n:4} {c[INTERRUPT] / n:10.1%} {c[CHECK] / n:7.1%} "
              f"{c[CONCERN] / n:8.1%} {c[NOTHING] / n:8.1%}")  # fmt: skip
        figures[f"{label}/{group}"] = {k: c[k] / n for k in (INTERRUPT, CHECK, CONCERN, NOTHING)}
    return figures


def misses(judged) -> None:
    for (label, audience, question, register, text), verdict in judged:
        wrong = (
            (label == "immediate" and verdict not in (INTERRUPT, CHECK))
            or (label == "everyday" and verdict in (INTERRUPT, CHECK))
            or (label == "unsure" and verdict == NOTHING)
        )
        if wrong:
            print(f"  {label:9} {verdict:9} {audience:12} {question:18} {register:22} {text}")


if __name__ == "__main__":
    show = "--misses" in sys.argv
    for corpus in [a for a in sys.argv[1:] if not a.startswith("--")] or ["context_tuning"]:
        judged = verdicts(corpus)
        report(corpus, judged)
        if show:
            misses(judged)
