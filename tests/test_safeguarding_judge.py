"""judge.py's rules, one finding and one context at a time (the detector's words are
tested in test_safeguarding_detector.py, and the two together on corpora)."""

import pytest

from bot.safeguarding.detector import (
    CLASSIFIER,
    CONCERN,
    IMMEDIATE,
    SIGN_OF_NOW,
    UNSURE,
    Finding,
    assess,
)
from bot.safeguarding.judge import CHECK, INTERRUPT, NOTHING, Context, judge
from bot.safeguarding.judge import CONCERN as CONCERN_VERDICT

PARENT, CHILD, WORKER = "family", "young_person", "professional"


def finding(tier, kind="violence", **signs):
    return Finding(tier, kind, "words", **signs)


@pytest.mark.parametrize(
    "found, context, verdict",
    [
        # a report's calm words for an emergency: weak harm words, but a sign of now
        (finding(CONCERN, imminent=True), Context(WORKER, about_harm=True), INTERRUPT),
        (finding(CONCERN, imminent=True), Context(PARENT), INTERRUPT),
        # ... and the same sign beside harm that is over, disputed or play is asked about
        (finding(CONCERN, imminent=True, settled=True), Context(PARENT, True), CHECK),
        (finding(CONCERN, imminent=True, disputed=True), Context(PARENT, True), CHECK),
        (finding(CONCERN, imminent=True, ordinary=True), Context(CHILD), CHECK),
        # a time close to now ("yesterday") beside weak words is asked about, never the
        # crisis screen ("a big bruise at football yesterday"); beside strong words, help
        (finding(CONCERN, recent=True), Context(PARENT), CHECK),
        (finding(CONCERN, recent=True, settled=True), Context(PARENT, True), CHECK),
        (finding(IMMEDIATE, recent=True, settled=True), Context(PARENT, True), INTERRUPT),
        (finding(CONCERN, recent=True), Context(None), INTERRUPT),
        # strong words with a sign of now are help at once, whatever else is said
        (finding(IMMEDIATE, imminent=True, settled=True), Context(PARENT, True), INTERRUPT),
        # a button is never a concern
        (finding(IMMEDIATE), Context(PARENT, button=True), NOTHING),
        # a reply of none: the classifier's guess is ignored, harm words never are
        (finding(UNSURE, CLASSIFIER), Context(PARENT, none_reply=True), NOTHING),
        (finding(IMMEDIATE, "self_harm_suicide"), Context(CHILD, none_reply=True), INTERRUPT),
        # a child's clear disclosure is never put to a yes/no; harm she says is over is
        (finding(IMMEDIATE), Context(CHILD, about_harm=True), INTERRUPT),
        (finding(IMMEDIATE, settled=True), Context(CHILD, about_harm=True), CHECK),
        # an adult disputing the report is answering
        (finding(IMMEDIATE, disputed=True), Context(PARENT, about_harm=True), NOTHING),
        (finding(UNSURE, disputed=True), Context(PARENT), CONCERN_VERDICT),
        # harm over and managed, at a question about harm: an answer; asked about where the
        # question is not about harm, where it touches self-harm, or where the classifier
        # reads a disclosure too
        (finding(IMMEDIATE, settled=True), Context(PARENT, about_harm=True), NOTHING),
        (finding(IMMEDIATE, settled=True), Context(PARENT), CHECK),
        (finding(IMMEDIATE, settled=True, self_harm=True), Context(PARENT, True), CHECK),
        (finding(IMMEDIATE, settled=True, chance=0.4), Context(WORKER, True), CHECK),
        (finding(UNSURE, settled=True), Context(WORKER, about_harm=True), NOTHING),
        # words that are only a concern: for the chair where the classifier reads a hint of
        # harm too, an answer where it reads none ("help me with the forms")
        (finding(CONCERN, chance=0.5, only_concern_words=True), Context(PARENT), CONCERN_VERDICT),
        (finding(CONCERN, chance=0.05, only_concern_words=True), Context(PARENT), NOTHING),
        (finding(CONCERN, chance=0.05, only_concern_words=True), Context(CHILD), NOTHING),
        # ... but a harm word that needs a person, or self-harm, stays a concern
        (finding(CONCERN, chance=0.05), Context(PARENT), CONCERN_VERDICT),
        # weak words beside a sign of now, the classifier not leaning: asked about
        (finding(CONCERN, imminent=True, only_concern_words=True), Context(PARENT), CHECK),
        # a sign of now with no harm word: asked about; at a reply of none, nothing
        (finding(UNSURE, SIGN_OF_NOW, imminent=True), Context(PARENT), CHECK),
        (finding(UNSURE, SIGN_OF_NOW, imminent=True), Context(CHILD, none_reply=True), NOTHING),
        (finding(UNSURE, SIGN_OF_NOW, imminent=True), Context(None), NOTHING),
        # at a question about harm, a word that needs a person ("hit") is asked about unless
        # the classifier is confident; a word that means danger on its own is help at once
        (finding(IMMEDIATE, chance=0.5), Context(PARENT, about_harm=True), CHECK),
        (finding(IMMEDIATE, chance=0.9), Context(WORKER, about_harm=True), INTERRUPT),
        (finding(IMMEDIATE, alone=True), Context(PARENT, about_harm=True), INTERRUPT),
        (finding(IMMEDIATE, chance=0.5), Context(PARENT), INTERRUPT),
        # ... unless the classifier is sure the words tell of danger now
        (finding(IMMEDIATE, disputed=True, chance=0.99), Context(PARENT, True), INTERRUPT),
        (finding(UNSURE, CLASSIFIER, process=True, chance=0.99), Context(PARENT), CHECK),
        # self-harm the classifier is confident of, beside harm that is over: never silent
        (
            finding(UNSURE, "self_harm_suicide", settled=True, self_harm=True, chance=0.9),
            Context(PARENT),
            CHECK,
        ),
        # the process is not a danger
        (finding(UNSURE, CLASSIFIER, process=True), Context(PARENT), NOTHING),
        # the classifier's guess at a child's everyday words
        (finding(CONCERN, CLASSIFIER, chance=0.7), Context(CHILD), NOTHING),
        (finding(UNSURE), Context(PARENT), CHECK),
        # nobody joined: nobody to ask, nobody to read a concern
        (finding(UNSURE), Context(None), INTERRUPT),
        (finding(CONCERN), Context(None), NOTHING),
        (None, Context(PARENT), NOTHING),
    ],
)
def test_each_rule(found, context, verdict):
    assert judge(found, context) == verdict


@pytest.mark.parametrize(
    "text, context, verdict",
    [
        # a time close to now is not a sign of harm now (concepts/now.yml `recent`)
        ("Harry got a bad tackle at football yesterday, studs down his shin, big bruise",
         Context(PARENT), CHECK),
        # where someone is, now, beside a dispute: help at once
        ("The report is wrong about the drinking. But he found us, he is at the gate",
         Context(PARENT, about_harm=True), INTERRUPT),
    ],
)  # fmt: skip
def test_the_detector_and_the_judge_together(text, context, verdict):
    assert judge(assess(text), context) == verdict
