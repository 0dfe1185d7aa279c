"""The scaling table, worked out per danger statement: how far apart the scores are, and
who differs most from the family. That gap is what the conference should talk about
(guidance: scaling questions, section 5). Each score's change since the last conference
is on the score itself (build.py)."""

from __future__ import annotations

import statistics

from bot import vocabulary


def is_family(role: str) -> bool:
    return vocabulary.AUDIENCES.get(role) == "family"


def scaling(scores: list[dict], statement_keys: list[str]) -> list[dict]:
    """One row per danger statement, from the summary's scores (parents first)."""
    table = []
    for key in statement_keys:
        rows = [score for score in scores if score["danger_statement"] == key]
        numbers = [score["score"] for score in rows]
        family = [score["score"] for score in rows if is_family(score["role"])]
        family_score = statistics.median(family) if family else None
        furthest = None
        others = [score for score in rows if not is_family(score["role"])]
        if family_score is not None and others:
            # the first of the furthest, in the summary's order, on a tie
            score = max(others, key=lambda s: abs(s["score"] - family_score))
            gap = score["score"] - family_score
            if gap:
                furthest = {"participant": score["participant"], "role": score["role"],
                            "score": score["score"], "gap": gap}  # fmt: skip
        table.append(
            {
                "danger_statement": key,
                "lowest": min(numbers, default=None),
                "highest": max(numbers, default=None),
                "spread": max(numbers) - min(numbers) if numbers else None,
                "family": family_score,
                "furthest_from_family": furthest,
            }
        )
    return table


def number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def described(row: dict, who) -> str:
    """One line for the chair: "D1: from 3 to 7, a spread of 4. The family says 6; ..."."""
    key = row["danger_statement"]
    if row["spread"] is None:
        return f"{key}: no scores yet."
    if row["lowest"] == row["highest"]:
        line = f"{key}: everyone who scored gave {row['lowest']}."
    else:
        line = f"{key}: from {row['lowest']} to {row['highest']}, a spread of {row['spread']}."
    if row["family"] is None:
        return f"{line} No score from the family yet."
    line += f" The family says {number(row['family'])}"
    furthest = row["furthest_from_family"]
    if furthest is None:
        return f"{line}."
    direction = "higher" if furthest["gap"] > 0 else "lower"
    return (
        f"{line}; {who(furthest)} says {furthest['score']}, "
        f"{number(abs(furthest['gap']))} {direction}: the gap to talk about."
    )
