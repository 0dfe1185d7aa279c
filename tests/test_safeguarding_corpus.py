"""The safeguarding detector on corpora written apart from it, in people's own words.

The held-out splits (tests/data/safeguarding/corpus/held_out*.tsv, by three other authors)
are never used while tuning; only their figures are read. They have no question and no
person, so this is the detector alone (bot/safeguarding/judge.py adds the context: see
tests/test_safeguarding_in_context.py and scripts/safeguarding_context_eval.py). A
disclosure reaches help when it is immediate, or unsure (in the chat: the check, whose
"not safe" brings help). These floors are the figures measured on 2026-12-07, so the
detector cannot slip back unnoticed; `scripts/safeguarding_eval.py held_out held_out_2
held_out_3` prints them per category.
"""

from __future__ import annotations

import pytest

from scripts import safeguarding_context_eval as context_eval
from scripts.safeguarding_eval import findings, report


def disclosures(found, caught: set) -> list[str]:
    return [text for label, _, text, tier in found if label == "immediate" and tier in caught]


@pytest.mark.held_out
@pytest.mark.parametrize(
    "name, size, reach, interrupts, false_alarms, silent",
    [
        ("held_out", 800, 0.965, 0.92, 0.03, 3),
        ("held_out_2", 600, 0.975, 0.92, 0.05, 2),
        ("held_out_3", 600, 0.975, 0.94, 0.045, 2),
    ],
)
def test_the_held_out_splits_reach_help(name, size, reach, interrupts, false_alarms, silent):
    found = findings(name)
    assert len(found) == size
    figures = report(name, found)
    unheard = disclosures(found, {None})
    assert figures["reach"] >= reach
    assert figures["recall"] >= interrupts
    assert figures["false alarms"] <= false_alarms
    assert len(unheard) <= silent, f"{len(unheard)} disclosures were not even a concern"


@pytest.mark.held_out
@pytest.mark.parametrize(
    "name, size, reach, interrupts, everyday_interrupts, everyday_checks, everyday_concerns",
    [  # measured 2026-12-08; the goal is 100%, 95%, 2%, 8% and 10%
        ("held_out_a", 400, 0.985, 0.975, 0.02, 0.04, 0.04),
        ("held_out_b", 400, 0.965, 0.925, 0.02, 0.05, 0.035),
        ("held_out_c", 400, 0.97, 0.915, 0.045, 0.02, 0.05),
        ("held_out_d", 400, 0.99, 0.97, 0.045, 0.02, 0.035),
        ("held_out_e", 420, 0.995, 0.955, 0.015, 0.06, 0.05),
        ("held_out_f", 450, 0.985, 0.96, 0.03, 0.035, 0.035),
        ("held_out_g", 450, 0.99, 0.935, 0.025, 0.025, 0.025),
        ("held_out_h", 450, 0.995, 0.95, 0.025, 0.035, 0.025),
    ],
)
def test_the_held_out_sets_in_context(
    name, size, reach, interrupts, everyday_interrupts, everyday_checks, everyday_concerns
):
    """The whole pipeline on messages typed by a parent, child or professional at a
    question of the agenda (tests/data/safeguarding/context/, by other authors)."""
    judged = context_eval.verdicts(name)
    assert len(judged) == size
    figures = context_eval.report(name, judged)
    disclosures, everyday = figures["immediate/all"], figures["everyday/all"]
    assert disclosures["interrupt"] + disclosures["check"] >= reach
    assert disclosures["interrupt"] >= interrupts
    assert everyday["interrupt"] <= everyday_interrupts
    assert everyday["check"] <= everyday_checks
    assert everyday["concern"] <= everyday_concerns
