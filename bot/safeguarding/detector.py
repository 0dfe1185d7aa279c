"""Does a message mean someone may be in danger? Two signals that vote.

- The harm concepts (bot/safeguarding/concepts/, read by concepts.py): words and phrases
  per kind of harm, lowered only by what makes a message everyday (an idiom, play, an
  accident, a "not", harm that is over).
- A text classifier trained on our corpus (classifier.py).

They vote. Immediate danger when a term that means danger on its own is found; when a
term that needs a person ("hit", "knife") is found near one and the classifier leans that
way too; or when the classifier alone is sure about a message of a few words. Unsure (worth
asking "are you safe right now?") when the classifier alone is confident but not sure, a
term needing a person is found near one with a little lean, or an `ask` term is found.
Anything else that touches a harm concept, or that the classifier gives an even chance, is
a concern. No harm word, but a sign of now (concepts/now.yml) and a lean of the classifier:
unsure, of the kind SIGN_OF_NOW ("right now dad is really angry and has a bat"). The
finding also says whether the words speak of now, of harm that is settled or disputed, or
of the process: judge.py weighs those with the question and the person.
A long message is also judged sentence by sentence (spaCy's sentencizer, nlp.py), so
a disclosure buried at the end of a cheerful answer stands out.
The thresholds were chosen by cross-validation on the tuning corpora
(scripts/safeguarding_eval.py, scripts/safeguarding_context_eval.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from bot.safeguarding import classifier, concepts

IMMEDIATE = "immediate"
UNSURE = "unsure"  # between clearly now and clearly ordinary: worth asking (judge.py)
CONCERN = "concern"
GENERAL = "violence"  # the kind a bare "hit" or "hurt" is named by, when nothing says more
SELF_HARM = "self_harm_suicide"
CLASSIFIER = "classifier"  # the kind when no harm concept was found: the classifier's vote
SIGN_OF_NOW = "sign of now"  # the kind when only a sign of now and a lean of the classifier
ORDINARY = ("play", "accident", "a thing, not a person")  # everyday cues (concepts.py)


@dataclass(frozen=True)
class Finding:
    tier: str  # IMMEDIATE, UNSURE or CONCERN
    kind: str  # the kind of harm (a concepts file's name), or "classifier"
    words: str  # the message
    imminent: bool = False  # says it is happening now, or about to (concepts/now.yml)
    recent: bool = False  # names a time close to now ("yesterday", "tonight" is imminent)
    settled: bool = False  # says the harm is over or managed (concepts/now.yml)
    disputed: bool = False  # disputes or denies the report or the worry
    process: bool = False  # a fear of the process itself ("they'll take the kids")
    ordinary: bool = False  # its harm words were play or accidents ("shoot" in Fortnite)
    self_harm: bool = False  # touches self-harm or suicide: helplines whatever happens
    chance: float = 0.0  # the classifier's vote on its worst sentence, 0 to 1
    alone: bool = False  # a term that means danger on its own was found
    # every harm word found is listed only as a concern, or is play or an accident (as the
    # concept files say), none about self-harm ("help me with the forms", "the food bank",
    # "killed it at football"); harm denied or over ("he doesn't hit us any more") is not
    # among them: the chair reads those
    only_concern_words: bool = False


def assess(
    text: str, probabilities: Callable[[list[str]], list[float]] = classifier.probabilities
) -> Finding | None:
    """The most serious finding in a message, or None."""
    if not text.strip():
        return None
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate read as "?"
    hits = concepts.assess(text)
    danger = [hit for hit in hits if hit.tier == "danger"]
    alone = [hit for hit in danger if hit.listed == "danger"]
    asks = [hit for hit in hits if hit.tier == "ask"]
    sentences = list(concepts.read(text).sentences)  # spaCy's sentencizer (nlp.py)
    chance = _chance(text, sentences, probabilities)
    signs = concepts.signs(text)
    if alone:
        tier, kind = IMMEDIATE, kind_of(alone)
    elif danger and chance >= classifier.LEANS:
        tier, kind = IMMEDIATE, kind_of(danger)
    elif chance >= classifier.CONFIDENT and len(text.split()) >= classifier.FEWEST_WORDS:
        # the classifier alone: sure, or worth asking (it is often wrong about children's
        # everyday words: "mummy and daddy and teddy")
        tier = IMMEDIATE if chance >= classifier.SURE else UNSURE
        kind = kind_of(hits) if hits else CLASSIFIER
    elif danger and chance >= classifier.ASKS:  # a harm word near a person: worth asking
        tier, kind = UNSURE, kind_of(danger)
    elif asks:  # words worth asking about ("if I wasn't here")
        tier, kind = UNSURE, kind_of(asks)
    elif hits:
        tier, kind = CONCERN, kind_of(hits)
    elif chance >= classifier.UNSURE and len(text.split()) >= classifier.FEWEST_WORDS:
        tier, kind = CONCERN, CLASSIFIER
    elif chance >= classifier.ASKS and signs["imminent"]:
        # no harm word, but a sign of now and a lean of the classifier ("right now dad is
        # really angry and has a bat", "going there now x"): worth asking
        tier, kind = UNSURE, SIGN_OF_NOW
    else:
        return None
    self_harm = any(hit.category == SELF_HARM for hit in hits) or kind == SELF_HARM
    return Finding(
        tier,
        kind,
        text,
        imminent=signs["imminent"],
        recent=signs["recent"],
        settled=signs["settled"],
        disputed=signs["disputed"],
        process=signs["process"],
        ordinary=len(sentences) == 1 and _ordinary(hits),
        self_harm=self_harm,
        chance=chance,
        alone=bool(alone),
        only_concern_words=tier == CONCERN
        and bool(hits)
        and all(hit.why in ("concern", *ORDINARY) for hit in hits)
        and not self_harm,
    )


def _ordinary(hits: list[concepts.Hit]) -> bool:
    """Every harm word was play or an accident (asked of a message of one sentence only:
    in a longer one the game may be in one sentence and the danger in the next)."""
    return bool(hits) and all(hit.why in ORDINARY for hit in hits)


def _chance(
    text: str, sentences: list[str], probabilities: Callable[[list[str]], list[float]]
) -> float:
    """The classifier's vote on the message, and on each sentence of a long one: a
    cheerful answer that ends with "mum has not woken up since yesterday" is judged by
    its worst sentence, not diluted by the rest."""
    long = [s for s in sentences if len(s.split()) >= classifier.FEWEST_WORDS]
    return max(probabilities([text, *long] if len(long) > 1 else [text]))


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
