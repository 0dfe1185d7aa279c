"""Does a message mean a child may be in danger? A rule layer on spaCy, built here.

A blank English pipeline (nothing downloaded) with two components of ours: one gives each
token a canonical form (text-speak, missing apostrophes and small misspellings mended),
one matches the patterns in bot/safeguarding/patterns.py on those forms. Tiers:

- immediate: being hurt now, sexual abuse, threats to kill, running away tonight,
  suicide or self-harm intent: the questions stop and help comes first;
- concern: past harm, fear, or a danger phrase that is negated ("he doesn't hit us any
  more"): recorded for the chair, without interrupting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

from bot.safeguarding import patterns

IMMEDIATE = "immediate"
CONCERN = "concern"


@dataclass(frozen=True)
class Finding:
    tier: str  # IMMEDIATE or CONCERN
    kind: str  # which pattern family matched, e.g. "harm", "suicide"
    words: str  # the words that matched


def normalise(text: str) -> str:
    """Lower case, curly quotes straightened, text-speak and contractions spelled out."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"([a-z])\1{2,}", r"\1", text)  # "helppp" -> "help"
    for pattern, replacement in patterns.REWRITES:
        text = re.sub(pattern, replacement, text)
    return re.sub(r"[^\w\s']", " ", text)


def _within_one_edit(word: str, target: str) -> bool:
    if abs(len(word) - len(target)) > 1 or word[0] != target[0]:
        return False
    if len(word) == len(target):
        return sum(a != b for a, b in zip(word, target)) <= 1
    short, long = sorted((word, target), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@lru_cache(maxsize=4096)
def canonical(word: str) -> str:
    """The lexicon's form of a word; one slip away from a long keyword counts as it."""
    if word in patterns.VARIANTS:
        return patterns.VARIANTS[word]
    if word.endswith("in") and word + "g" in patterns.KNOWN_WORDS:  # "hittin", "stranglin"
        return word + "g"
    if len(word) >= 5 and word not in patterns.ORDINARY_WORDS:
        for keyword in patterns.FUZZY_KEYWORDS:
            if _within_one_edit(word, keyword):
                return keyword
    return word


if not Token.has_extension("canon"):
    Token.set_extension("canon", default=None)
if not Doc.has_extension("findings"):
    Doc.set_extension("findings", default=[])


@Language.component("safeguarding_canonical")
def _canonical_forms(doc: Doc) -> Doc:
    for token in doc:
        token._.canon = canonical(token.lower_)
    return doc


@lru_cache(maxsize=1)
def pipeline() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("safeguarding_canonical")
    return nlp


@lru_cache(maxsize=1)
def matcher() -> Matcher:
    built = Matcher(pipeline().vocab)
    for kind, specs in patterns.PATTERNS.items():
        built.add(kind, [patterns.to_spacy(spec) for spec in specs])
    return built


def _negated(doc: Doc, start: int, end: int) -> bool:
    """A "not" in the same clause: before the match, but not beyond its subject."""
    before = [t._.canon for t in doc[max(0, start - 4) : start]]
    subjects = patterns.WORDS["SUBJECT"] | {"i", "we"}
    if doc[start]._.canon in subjects:
        before = []
    elif subjects & set(before):
        last = max(i for i, word in enumerate(before) if word in subjects)
        before = before[last + 1 :]
    inside = [t._.canon for t in doc[start:end]]
    after = [t._.canon for t in doc[end : end + 3]]
    return bool(
        patterns.NEGATORS & set(before + inside)
        or patterns.NEGATING_AFTER & set(after)
        or patterns.ACCIDENT_AFTER & set(after)
    )


def _long_ago(doc: Doc) -> bool:
    text = " ".join(t._.canon for t in doc)
    return any(marker in text for marker in patterns.LONG_AGO)


def _non_person_subject(doc: Doc, start: int) -> bool:
    before = [t._.canon for t in doc[max(0, start - 3) : start]]
    return bool(patterns.NON_PERSON & set(before))


def _tier(doc: Doc, kind: str, start: int, end: int) -> str | None:
    if kind in patterns.CONCERN_KINDS:
        return CONCERN
    ordinary = kind not in patterns.CONTEXT_FREE_IMMEDIATE | patterns.NOT_IS_DANGER
    if ordinary and (_non_person_subject(doc, start) or _body_part_after(doc, end)):
        return None  # "my back is hurting me", "she hit her head"
    negated = kind not in patterns.NOT_IS_DANGER and _negated(doc, start, end)
    if negated or (kind in patterns.FADES_WITH_TIME and _long_ago(doc)):
        return CONCERN
    return IMMEDIATE


def _body_part_after(doc: Doc, end: int) -> bool:
    return (
        doc[end - 1]._.canon in {"her", "his", "my", "their"}
        and end < len(doc)
        and doc[end]._.canon in patterns.BODY_PARTS
    )


def assess(text: str) -> Finding | None:
    """The most serious finding in a message, or None."""
    doc = matcher_doc(text)
    findings = []
    for match_id, start, end in matcher()(doc):
        kind = pipeline().vocab.strings[match_id]
        findings.append(Finding(_tier(doc, kind, start, end), kind, doc[start:end].text))
    findings = [finding for finding in findings if finding.tier]
    if not findings:
        return None
    return next((f for f in findings if f.tier == IMMEDIATE), findings[0])


def matcher_doc(text: str) -> Doc:
    return pipeline()(normalise(text))
