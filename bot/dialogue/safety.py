"""What the chat does once safeguarding has decided (bot/safeguarding/judge.py).

Help never costs an answer: a message typed at a question is that question's answer, or a
note for the chair where the question wanted a number or a choice, whatever the detector
says, and the alert points at it. After help the conversation moves on to what comes next,
never the same question again. The full help is shown once in half an hour; within that,
one short line. "Are you safe right now?" is asked only in the unsure middle.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.dialogue import parsing
from bot.dialogue.replies import Reply
from bot.dialogue.state import Phase
from bot.model.tables import Answer, SafeguardingAlert
from bot.safeguarding import script
from bot.safeguarding.alerts import IMMEDIATE_DANGER, escalate, helped_recently, raise_alert
from bot.safeguarding.detector import CLASSIFIER, SIGN_OF_NOW, Finding
from bot.safeguarding.judge import CHECK, CONCERN, INTERRUPT, NOTHING, Context, judge

MOVE_ON = ("text", "score", "choice", "share")  # kinds whose question help may leave behind


def context(conv, text: str) -> Context:
    """The question and the person: what judge.py weighs beside the words."""
    step = conv.step if conv.at_a_question else None
    about_harm = bool(step and step.question.about_harm)
    at_question = bool(step and text)
    return Context(
        conv.audience,
        about_harm,
        button=at_question and conv.offered(text),
        none_reply=at_question and parsing.means(conv.agenda, text, "nothing_more", slips=False),
    )


def take(conv, text: str, finding: Finding | None) -> list[Reply]:
    """A message typed at a question: the answer, and whatever help it needs."""
    if conv.data.safety_check and not conv.data.stop_asked:
        return _checked(conv, text, finding)
    verdict = judge(finding, context(conv, text))
    if script.asks_about_telling(text) and helped_recently(conv.session, conv.participant):
        return _asked_after_help(conv, text, finding, verdict)
    if verdict == NOTHING:
        return conv.answer(text)
    if verdict == INTERRUPT:
        answer = _keep_and_move_on(conv, text)
        return _help(conv, text, finding, answer)
    before = _newest_answer(conv)
    replies = conv.answer(text)
    answer = _kept_since(conv, before)
    if verdict == CONCERN:
        raise_alert(conv.session, conv.participant, finding, text, False, answer)
        return replies
    # CHECK: the answer is kept and the check asked before the next question; words about
    # self-harm are told to the social worker whatever the reply (denial is common).
    alert = raise_alert(conv.session, conv.participant, finding, text, finding.self_harm, answer)
    conv.update(safety_check=alert.id)
    return replies


def elsewhere(conv, text: str, finding: Finding | None) -> list[Reply] | None:
    """A message from someone not at a question (paused, stopped, sent, lost): help if it
    needs it (there is no question to check at, so the unsure middle gets help too), a
    concern noted; None when it needs nothing of safeguarding."""
    if finding is None:
        return None
    verdict = judge(finding, context(conv, text))
    if needs_help(verdict, finding):
        return _help(conv, text, finding, _keep_elsewhere(conv, text))
    if verdict in (CONCERN, CHECK):  # a sign of now alone, with no question to check at
        raise_alert(conv.session, conv.participant, finding, text, False)
    return None


def needs_help(verdict: str, finding: Finding | None) -> bool:
    """Where there is no question to check at, the unsure middle gets help too; a sign of
    now with no harm word ("heading for bed now") is only noted for the chair."""
    return verdict == INTERRUPT or (verdict == CHECK and finding.kind != SIGN_OF_NOW)


def check_pending(conv) -> list[Reply]:
    """The check, asked where the next question would be."""
    alert = conv.session.get(SafeguardingAlert, conv.data.safety_check)
    self_harm = bool(alert and alert.kind == IMMEDIATE_DANGER)
    return script.check_question(conv.audience, self_harm, conv.participant.role, conv.band,
                                 conv.conference.out_of_hours)  # fmt: skip


def reads_as_check_reply(conv, text: str) -> bool:
    """At the check its replies come before command words ("not now" is "no" there)."""
    if not (text and conv.data.safety_check) or conv.data.stop_asked:
        return False  # a child asked "do you want to stop?" is answering that first
    return script.check_reply(conv.audience, text) is not None


def leave_check(conv, text: str | None = None, finding: Finding | None = None) -> list[Reply]:
    """ "skip" or "back" at the check: it is left unanswered beside the alert, the numbers
    given, and the question they had not yet seen is asked (not skipped)."""
    conv.update(safety_check=None)
    return [_short(conv)]


def _checked(conv, text: str, finding: Finding | None) -> list[Reply]:
    alert = conv.session.get(SafeguardingAlert, conv.data.safety_check)
    conv.update(safety_check=None, again=None)  # the question behind it is asked plainly
    reply = script.check_reply(conv.audience, text)
    if reply is None:
        # Not a reply to the check but more words: kept for the chair (not as the answer
        # to a question they have not seen yet), with help if the words need it, else the
        # short line, so nobody leaves without a number. The check stays unanswered.
        note = _keep_note(conv, text)
        if needs_help(judge(finding, context(conv, text)), finding):
            return _help(conv, text, finding, note)
        return [_short(conv)]
    if alert is None:
        return []
    self_harm = alert.kind == IMMEDIATE_DANGER  # asked with the helplines: self-harm
    short = helped_recently(conv.session, conv.participant) and not self_harm
    escalate(conv.session, alert, reply)
    if reply == "safe_now":
        return [script.after_check(conv.audience, self_harm)]
    return _help_replies(conv, short)


def _asked_after_help(conv, text, finding, verdict) -> list[Reply]:
    """ "will dad get in trouble?" after help: a kind, honest answer and the short line;
    the words kept for the chair (the alerts page shows them as what was said next), and
    alerted only if their own words tell of danger now (the classifier's vote alone is no
    guide here: "please don't tell him" is how many disclosures end)."""
    answer = _keep_note(conv, text)
    if verdict == INTERRUPT and finding.kind != CLASSIFIER:
        raise_alert(conv.session, conv.participant, finding, text, True, answer)
    return [script.after_alert_answer(conv.audience), _short(conv)]


def _help(conv, text: str, finding: Finding, answer: Answer | None) -> list[Reply]:
    short = helped_recently(conv.session, conv.participant)
    raise_alert(conv.session, conv.participant, finding, text, True, answer)
    return _help_replies(conv, short)


def _help_replies(conv, short: bool) -> list[Reply]:
    if short:
        return [_short(conv)]
    return script.script_for(conv.participant.role, conv.band, conv.conference.out_of_hours)


def _short(conv) -> Reply:
    return script.short_line(conv.participant.role, conv.band, conv.conference.out_of_hours)


def _keep_and_move_on(conv, text: str) -> Answer | None:
    """The words kept as this question's answer (or a note, where it wanted a number or a
    choice), then on to the next question: not "which child?", not "anything else?"."""
    step, phase = conv.step, conv.phase
    before = _newest_answer(conv)
    conv.answer(text)
    answer = _kept_since(conv, before)
    moved = (conv.step, conv.phase) != (step, phase)
    number_taken = step.kind == "score" and phase is Phase.ASK  # "2 because he hit me"
    if answer is None and (not moved or number_taken):
        answer = _keep_note(conv, text)
    if conv.step is step and step.kind in MOVE_ON:
        if not moved or conv.phase in (Phase.CHILDREN, Phase.MORE):
            conv.advance()
    conv.update(again=None, misses=0)
    return answer


def _keep_elsewhere(conv, text: str) -> Answer | None:
    if conv.finished:
        before = _newest_answer(conv)
        conv.add_late(text)
        return _kept_since(conv, before)
    return _keep_note(conv, text) if conv.step is not None else None


def _keep_note(conv, text: str) -> Answer | None:
    return conv.note(conv.step, text) if conv.step is not None else None


def _newest_answer(conv) -> int:
    newest = conv.session.execute(
        select(func.max(Answer.id)).where(Answer.participant_id == conv.participant.id)
    ).scalar()
    return newest or 0


def _kept_since(conv, before: int) -> Answer | None:
    """The answer this message was kept as, if it made one (a score's reason is kept in
    the score)."""
    conv.session.flush()
    newest = (
        conv.session.execute(
            select(Answer)
            .where(Answer.participant_id == conv.participant.id, Answer.id > before)
            .order_by(Answer.id.desc())
        )
        .scalars()
        .first()
    )
    return newest
