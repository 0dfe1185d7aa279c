"""Does a message mean someone may be in danger? Two signals that vote.

- The harm concepts (bot/safeguarding/concepts/, read by concepts.py): words and phrases
  per kind of harm, lowered only by what makes a message everyday (an idiom, play, an
  accident, a "not", harm that is over).
- A text classifier trained on our corpus (classifier.py).

They vote. Immediate danger (the questions stop and help comes first) when a term that
means danger on its own is found; when a term that needs a person ("hit", "knife") is
found near one and the classifier leans that way too; or when the classifier alone is
confident about a message of a few words (on "n" or "keep it" it only guesses). Anything
else that touches a harm concept, or that the classifier is unsure
about, is at least a concern: recorded for the chair, and the conversation goes on.
Never silence. The thresholds were chosen by cross-validation on the tuning corpus
(scripts/safeguarding_eval.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from bot.safeguarding import classifier, concepts

IMMEDIATE = "immediate"
CONCERN = "concern"
GENERAL = "violence"  # the kind a bare "hit" or "hurt" is named by, when nothing says more


@dataclass(frozen=True)
class Finding:
    tier: str  # IMMEDIATE or CONCERN
    kind: str  # the kind of harm (a concepts file's name), or "classifier"
    words: str  # the message


def assess(
    text: str, probability: Callable[[str], float] = classifier.probability
) -> Finding | None:
    """The most serious finding in a message, or None."""
    if not text.strip():
        return None
    hits = concepts.assess(text)
    danger = [hit for hit in hits if hit.tier == "danger"]
    alone = [hit for hit in danger if hit.listed == "danger"]
    if alone:
        return Finding(IMMEDIATE, kind_of(alone), text)
    chance = probability(text)
    if danger and chance >= classifier.LEANS:
        return Finding(IMMEDIATE, kind_of(danger), text)
    if chance >= classifier.CONFIDENT and len(text.split()) >= classifier.FEWEST_WORDS:
        return Finding(IMMEDIATE, kind_of(hits) if hits else "classifier", text)
    if hits:
        return Finding(CONCERN, kind_of(hits), text)
    if chance >= classifier.UNSURE:
        return Finding(CONCERN, "classifier", text)
    return None


def kind_of(hits: list[concepts.Hit]) -> str:
    """The kind of harm the chair is told of: the one most of the message's terms belong
    to, then the one with the longest term ("shook ... baby" over "hit"), then GENERAL."""
    counts: dict[str, int] = {}
    longest: dict[str, int] = {}
    for hit in hits:
        counts[hit.category] = counts.get(hit.category, 0) + 1
        longest[hit.category] = max(longest.get(hit.category, 0), len(hit.term.split()))
    return max(counts, key=lambda kind: (counts[kind], longest[kind], kind == GENERAL))


def warm() -> None:
    """Read the harm concepts and train the classifier now (a few seconds), so the first
    person to write is not the one who waits."""
    assess("hello")


if __name__ == "__main__":  # `make setup`: built now, in this environment (built.py)
    warm()
