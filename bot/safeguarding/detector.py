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
        return Finding(IMMEDIATE, alone[0].category, text)
    chance = probability(text)
    if danger and chance >= classifier.LEANS:
        return Finding(IMMEDIATE, danger[0].category, text)
    if chance >= classifier.CONFIDENT and len(text.split()) >= classifier.FEWEST_WORDS:
        return Finding(IMMEDIATE, hits[0].category if hits else "classifier", text)
    if hits:
        return Finding(CONCERN, hits[0].category, text)
    if chance >= classifier.UNSURE:
        return Finding(CONCERN, "classifier", text)
    return None


def warm() -> None:
    """Read the harm concepts and train the classifier now (a few seconds), so the first
    person to write is not the one who waits."""
    assess("hello")
