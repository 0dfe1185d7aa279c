"""Decide, in context, what a message the detector found something in should do.

Safeguarding is one small pipeline: detect (detector.py: what the words say), decide (here:
what that means from this person, at this question), respond (bot/dialogue/safety.py: what
the chat says and records). The decision is one of:

- INTERRUPT: help at once (999 and the helplines for this person), an alert for the social
  worker and the chair. The answer is kept and the questions go on after it.
- CHECK: ask one short question first ("Are you safe right now?"), the answer kept.
- CONCERN: kept for the chair to read; the person is told nothing, the questions go on.
- NOTHING: an answer like any other.

Context is the question and the person. At a question that asks about harm (the agenda's
`about_harm`), an adult's words about harm that is over, managed or disputed are their
answer, only signs of now interrupt, and a word that needs a person ("hit") is asked about
unless the classifier is confident. A child's clear disclosure is never put to a yes/no;
harm she says is over, and a sign of now with no harm word, are asked about.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.safeguarding import classifier
from bot.safeguarding.detector import CLASSIFIER, IMMEDIATE, SIGN_OF_NOW, UNSURE, Finding
from bot.safeguarding.detector import CONCERN as CONCERN_TIER

INTERRUPT, CHECK, CONCERN, NOTHING = "interrupt", "check", "concern", "nothing"


@dataclass(frozen=True)
class Context:
    audience: str | None = None  # family, young_person, professional; None: not joined
    about_harm: bool = False  # the question asks about dangers, worries, the reports
    button: bool = False  # the message is a button offered at this question
    # the message is one of the agenda's replies of none ("I think I've said it all"); it may
    # still hold harm words ("i'm done. goodbye"), so only the classifier's guess is ignored
    none_reply: bool = False


def judge(finding: Finding | None, context: Context) -> str:
    if finding is None or context.button:
        return NOTHING  # a button press is never a concern
    if context.none_reply and finding.kind in (CLASSIFIER, SIGN_OF_NOW):
        return NOTHING  # the classifier reads "I've said everything" as a goodbye
    if finding.kind == SIGN_OF_NOW:  # no harm word: asked about, never the crisis screen
        return CHECK if context.audience else NOTHING
    urgent = finding.tier in (IMMEDIATE, UNSURE)
    calm = finding.settled or finding.disputed or finding.ordinary
    if finding.imminent or (finding.recent and (urgent or context.audience is None)):
        if finding.only_concern_words and finding.chance < classifier.ASKS:
            # weak words beside a time, the classifier not leaning: asked about, never the
            # crisis screen ("I saw the health visitor an hour ago")
            return CHECK if context.audience else NOTHING
        # signs of now: help at once, unless the only harm words are weak and the message
        # also says the harm is over, disputed or play (then asked about)
        return INTERRUPT if urgent or context.audience is None or not calm else CHECK
    if finding.recent:  # weak harm words and a time close to now ("a big bruise
        return CHECK  # yesterday"): asked about, never silent
    if context.audience is None:  # not joined: nobody to ask, and nobody to read a concern
        return INTERRUPT if urgent else NOTHING
    if finding.tier == CONCERN_TIER and (finding.ordinary or child_guess(finding, context)):
        return NOTHING  # play and accidents; the classifier's guess at a child's words
    if context.audience == "young_person":  # a child's disclosure is never put to a yes/no;
        # harm she says is over ("he's not allowed near us now, he got 18 months") is asked about
        if finding.tier == IMMEDIATE and finding.settled and context.about_harm:
            return CHECK
        return {IMMEDIATE: INTERRUPT, UNSURE: CHECK}.get(finding.tier, _concern(context, finding))
    # a dispute or a fear of the process is an answer, unless the classifier is sure the
    # words tell of danger now ("The report says he's no risk. He is. He's got her in the
    # bathroom and won't open the door")
    sure = finding.chance >= classifier.SURE
    if finding.process and finding.kind == CLASSIFIER and not sure:
        return NOTHING  # "I'm scared they'll take the kids": the process, not a danger
    if finding.disputed and not sure:  # an adult disputing the report: answering
        return _concern(context, finding)
    if finding.settled:  # an adult on harm that is over or managed: at a question about
        # harm, an answer; words that would mean danger on their own are asked about where
        # the question is not about harm, where they touch self-harm, or where the classifier
        # reads them as a disclosure too
        if finding.tier == IMMEDIATE and (
            not context.about_harm or finding.self_harm or finding.chance >= classifier.LEANS
        ):
            return CHECK
        if finding.tier == UNSURE and finding.self_harm and finding.chance >= classifier.CONFIDENT:
            return CHECK  # "I'm stood on the bridge", beside harm that is over: never silent
        return _concern(context, finding)
    if context.about_harm and finding.tier == IMMEDIATE and not finding.alone:
        # a harm word that needs a person ("hit", "strangled") at a question that asks about
        # harm, where the classifier is not confident it is a disclosure: asked about
        return INTERRUPT if finding.chance >= classifier.CONFIDENT else CHECK
    return {IMMEDIATE: INTERRUPT, UNSURE: CHECK}.get(finding.tier, _concern(context, finding))


def child_guess(finding: Finding, context: Context) -> bool:
    """A concern from the classifier alone about a child's words: it often mistakes their
    everyday words ("mummy and daddy and teddy"), and the chair reads every house anyway."""
    return context.audience == "young_person" and finding.kind == CLASSIFIER


def _concern(context: Context, finding: Finding) -> str:
    """At a question about harm, harm words are the answer, read in its column; and so are
    words that are only a concern ("help me with the forms", "the food bank") where the
    classifier reads no hint of harm in the message."""
    if finding.only_concern_words and finding.chance < classifier.HINTS:
        return NOTHING
    return NOTHING if context.about_harm else CONCERN
