"""The scaling table's arithmetic (bot/summary/scaling.py): spread, change, and who differs
most from the family."""

from __future__ import annotations

from bot.summary.scaling import described, scaling


def score(participant: str, role: str, value: int, statement: str = "D1", previous=None):
    return {"danger_statement": statement, "participant": participant, "role": role,
            "score": value, "previous": previous}  # fmt: skip


def who(item: dict) -> str:
    return item["participant"]


def test_spread_family_and_the_furthest_from_the_family():
    scores = [score("P1", "parent", 6), score("P2", "family_member", 7),
              score("P3", "social_worker", 3), score("P4", "professional", 5)]  # fmt: skip
    [row] = scaling(scores, ["D1"])
    assert (row["lowest"], row["highest"], row["spread"]) == (3, 7, 4)
    assert row["family"] == 6.5  # the middle of the family's scores
    assert row["furthest_from_family"] == {
        "participant": "P3", "role": "social_worker", "score": 3, "gap": -3.5}  # fmt: skip
    assert described(row, who) == (
        "D1: from 3 to 7, a spread of 4. The family says 6.5; P3 says 3, 3.5 lower: "
        "the gap to talk about."
    )


def test_a_tie_names_the_first_in_parents_first_order_and_a_higher_score_says_so():
    scores = [score("P1", "parent", 4), score("P3", "social_worker", 6),
              score("P4", "professional", 2)]  # fmt: skip
    [row] = scaling(scores, ["D1"])
    assert row["furthest_from_family"]["participant"] == "P3"
    assert "P3 says 6, 2 higher" in described(row, who)


def test_no_family_score_no_gap_and_no_scores_are_said_plainly():
    only_professionals, agreed, none = scaling(
        [score("P3", "social_worker", 3), score("P4", "professional", 5),
         score("P1", "parent", 5, "D2"), score("P3", "social_worker", 5, "D2")],
        ["D1", "D2", "D3"],
    )  # fmt: skip
    assert only_professionals["family"] is None
    assert described(only_professionals, who).endswith("No score from the family yet.")
    assert agreed["furthest_from_family"] is None
    assert described(agreed, who) == "D2: everyone who scored gave 5. The family says 5."
    assert none["spread"] is None and described(none, who) == "D3: no scores yet."


def test_each_statement_has_its_own_row():
    scores = [score("P1", "parent", 2, "D1"), score("P1", "parent", 9, "D2")]
    assert [r["spread"] for r in scaling(scores, ["D1", "D2"])] == [0, 0]
