"""Whole conversations answered only by typing — never a button's payload — through the real
stack, with replies from a corpus written apart from the code (tests/data/typed/).

The driver reads where each participant is (their Progress row) and types what a person
would: an open answer from the corpus at an open question, a typed choice at a choice, a
nothing-reply at "anything else?", a "change" then a "send" at the read-back. It records,
per corpus reply, whether the conversation moved on and what it stored; the tests count
the replies that were not kept as meant.
"""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import select

from bot.agenda.loader import load_agenda
from bot.dialogue.handlers.choice import COMMANDS
from bot.model.answers import NONE_GIVEN
from bot.model.database import Database
from bot.model.tables import Answer, Participant, Progress, Score

TYPED = Path(__file__).parent / "data" / "typed"
# The corpus names a score's follow-ups by who is asked; the agenda by question and phase.
FOLLOW_UPS = {
    "parent": ("reason", "next_point"),
    "young_person": ("young_reason", "young_next_point"),
    "professional": ("professional_reason", "professional_next_point"),
}
# The corpus's open questions, by who is asked.
OPEN_KEYS = {
    "parent": "report_questions meeting_worries meeting_help strengths kept_safe plan_working "
    "worries hard_to_follow plan_missing next_steps confident help_wanted reason next_point "
    "anything_else".split(),
    "young_person": "good_things feel_safe worries_house dreams tell_the_chair young_reason "
    "young_next_point".split(),
    "professional": "past_harm experienced evidence complicating existing_safety "
    "professional_strengths family_can_do support_offered report_shared_when "
    "professional_reason professional_next_point".split(),
}
CHILDREN_REPLIES = ["both", "Ava", "just leo", "both of them", "the first one", "all of them"]
SCORES = ["about a 6", "seven", "5", "4/10", "i'd say 3", "eight out of 10"]
MAX_TURNS = 200

SEND_OR_COMMAND = {"yes", *COMMANDS}  # a consent that only sends, or waits


def load_corpus(name: str) -> dict:
    return yaml.safe_load((TYPED / f"{name}.yml").read_text(encoding="utf-8"))


def conference_file(parents: int, young_people: int, professionals: int) -> str:
    """A review conference with as many of each as the corpus needs."""
    young = [f"Y{n}" for n in range(1, young_people + 1)]
    lines = [
        "conference: {type: review, date: 2026-12-15T10:00, local_authority: Example Council}",
        "children:",
        "  - {key: A, name: Ava, age: 9}",
        "  - {key: B, name: Leo, age: 4}",
        *[f"  - {{key: C{k}, name: Sam{k}, age: {12 + int(k[1:]) % 5}}}" for k in young],
        "danger_statements:",
        "  - {key: D1, danger: Ava and Leo could be hurt when the adults fight.,",
        "     safety_goal: The adults sort out arguments safely., children: [A, B]}",
    ]
    if young:
        children = ", ".join(f"C{k}" for k in young)
        lines += [
            "  - {key: D2, danger: Home is not always safe.,",
            f"     safety_goal: Home is safe every day., children: [{children}]}}",
        ]
    lines.append("participants:")
    lines += [
        f"  - {{key: P{n}, name: Parent {n}, role: parent, children: [A, B]}}"
        for n in range(1, parents + 1)
    ]
    lines += [f"  - {{key: {k}, name: Sam {k}, role: young_person, child: C{k}}}" for k in young]
    lines += [
        f"  - {{key: R{n}, name: Pro {n}, role: professional, agency: School}}"
        for n in range(1, professionals + 1)
    ]
    lines.append("  - {key: CH, name: Chair Person, role: chair}")
    return "\n".join(lines) + "\n"


@dataclass
class Outcome:
    """One corpus reply: what it was, where it was typed, and whether it was kept as meant."""

    category: str  # open, nothing, send, change, choice
    text: str
    where: str
    ok: bool = True
    why: str = ""


@dataclass
class Corpus:
    """The corpus as queues, each reply typed once."""

    open: dict = field(default_factory=dict)
    nothing: deque = field(default_factory=deque)
    send: deque = field(default_factory=deque)
    change: deque = field(default_factory=deque)
    choices: dict = field(default_factory=dict)

    @classmethod
    def from_file(cls, data: dict) -> "Corpus":
        return cls(
            open={key: deque(items) for key, items in data["open"].items()},
            nothing=deque(data["nothing"]),
            send=deque(data["send"]),
            change=deque(data["change"]),
            choices={
                question: {option: itertools.cycle(items) for option, items in by_option.items()}
                for question, by_option in data["choices"].items()
            },
        )

    def take_open(self, key: str) -> str | None:
        queue = self.open.get(key)
        return queue.popleft() if queue else None

    def take(self, queue: deque, fallback: str) -> tuple[str, bool]:
        """A reply from the queue (True), or a fixed one when it has run out (False)."""
        return (queue.popleft(), True) if queue else (fallback, False)


class Driver:
    def __init__(self, stack, conference: dict, corpus: Corpus):
        self.stack = stack
        self.conference = conference
        self.corpus = corpus
        self.agenda = load_agenda()
        self.database = Database(stack.settings)
        self.outcomes: list[Outcome] = []
        self.replies: list[str] = []  # everything the bot said, to look for loops
        self.option_turn = defaultdict(itertools.count)

    # --- reading the database -----------------------------------------------------------

    def where(self, participant_id: int) -> tuple[str | None, str, str]:
        with self.database.session() as session:
            progress = session.get(Progress, participant_id)
            if progress is None:
                return None, "ask", "active"
            return progress.step, progress.phase, progress.state

    def stored(self, participant_id: int, model=Answer) -> list:
        with self.database.session() as session:
            query = select(model).where(
                model.participant_id == participant_id, model.superseded_at.is_(None)
            )
            return list(session.execute(query.order_by(model.id)).scalars())

    def _said(self, pid: int) -> list:
        """What is stored as something said: not an answer of none ("nothing" typed where
        the button says "Nothing" is that button, kept for the chair as meaning none)."""
        return [a for a in self.stored(pid) if a.choice != NONE_GIVEN]

    def participant_id(self, key: str) -> int:
        with self.database.session() as session:
            return session.execute(
                select(Participant.id).where(
                    Participant.conference_id == self.conference["id"], Participant.key == key
                )
            ).scalar_one()

    # --- talking --------------------------------------------------------------------------

    def say(self, sender: str, text: str) -> list[dict]:
        replies = self.stack.say(sender, text)
        self.replies += [r.get("text") or "" for r in replies]
        return replies

    def run(self, keys_and_roles: list[tuple[str, str]], threads: int = 4) -> list[Outcome]:
        with ThreadPoolExecutor(threads) as pool:
            for outcomes in pool.map(lambda kr: self.converse(*kr), keys_and_roles):
                self.outcomes += outcomes
        self.database.dispose()
        return self.outcomes

    def converse(self, key: str, role: str) -> list[Outcome]:
        """One participant's whole conversation, typed."""
        sender = f"typed:{self.conference['id']}:{key}"
        pid = self.participant_id(key)
        outcomes: list[Outcome] = []
        self.say(sender, f"/start {self.conference[key]}")
        changed_at_check = False
        for _ in range(MAX_TURNS):
            step, phase, state = self.where(pid)
            if state == "done":
                return outcomes
            question = self.agenda.question(step)
            kind = question.kind
            if kind == "check":
                if phase == "ask" and not changed_at_check:
                    changed_at_check = True
                    outcomes.append(self._typed_at_check(sender, pid, "change", "which"))
                elif phase == "which":
                    self.say(sender, "back")
                else:
                    outcomes.append(self._typed_at_check(sender, pid, "send", None))
            elif kind in ("choice", "consent", "share"):
                outcomes.append(self._choice(sender, pid, step, question))
            elif kind == "score" and phase == "ask":
                self.say(sender, SCORES[next(self.option_turn["score"]) % len(SCORES)])
            elif kind == "score":
                corpus_key = FOLLOW_UPS[self._audience(role)][phase == "next_point"]
                outcomes.append(self._open(sender, pid, step, phase, corpus_key, question))
            elif phase == "children":
                n = next(self.option_turn["children"])
                self.say(sender, CHILDREN_REPLIES[n % len(CHILDREN_REPLIES)])
            elif phase == "more":
                # Every other time one more answer; otherwise a nothing-reply.
                if next(self.option_turn[f"more:{key}"]) % 2 == 0 and self.corpus.open.get(
                    question.key
                ):
                    outcomes.append(self._open(sender, pid, step, phase, question.key, question))
                else:
                    outcomes.append(self._nothing(sender, pid, step))
            else:
                outcomes.append(self._open(sender, pid, step, phase, question.key, question))
        raise AssertionError(f"{key} did not finish in {MAX_TURNS} turns (at {step} {phase})")

    @staticmethod
    def _audience(role: str) -> str:
        return {"parent": "parent", "young_person": "young_person"}.get(role, "professional")

    # --- one reply of each kind -------------------------------------------------------------

    def _open(self, sender, pid, step, phase, corpus_key, question) -> Outcome:
        text = self.corpus.take_open(corpus_key)
        if text is None:  # this question's answers are used up: say there is nothing
            return self._nothing(sender, pid, step)
        outcome = Outcome("open", text, f"{step} ({phase})")
        before = self.where(pid)
        replies = self.say(sender, text)
        after = self.where(pid)
        said = " ".join(r.get("text") or "" for r in replies)
        if "Welcome back" in said:
            return self._fail(outcome, "answered with Welcome back")
        if after == before and phase != "more":  # "anything else?" again is the next step
            return self._fail(outcome, f"asked the same again: {said[:120]!r}")
        if question.kind == "score":
            scores = self.stored(pid, Score)
            field_name = phase
            if not any(getattr(s, field_name) == text.strip() for s in scores):
                return self._fail(outcome, f"not stored as the score's {field_name}")
            return outcome
        kept = [a for a in self.stored(pid) if a.question_key == step]
        if not any(a.text == text.strip() and a.column_key == question.column for a in kept):
            notes = [a.text for a in self.stored(pid) if a.question_key.endswith(":note")]
            return self._fail(outcome, f"not stored in {question.column} (notes: {notes[-1:]})")
        return outcome

    def _nothing(self, sender, pid, step) -> Outcome:
        text, from_corpus = self.corpus.take(self.corpus.nothing, "no")
        outcome = Outcome("nothing" if from_corpus else "filler", text, step)
        count = len(self._said(pid))
        before = self.where(pid)
        self.say(sender, text)
        if len(self._said(pid)) != count:
            return self._fail(outcome, "stored as an answer")
        if self.where(pid) == before:
            return self._fail(outcome, "asked the same again")
        return outcome

    def _typed_at_check(self, sender, pid, category, expected_phase) -> Outcome:
        queue = getattr(self.corpus, category)
        text, from_corpus = self.corpus.take(queue, category)
        outcome = Outcome(category if from_corpus else "filler", text, "check")
        count = len(self.stored(pid))
        step_before = self.where(pid)[0]
        self.say(sender, text)
        step, phase, state = self.where(pid)
        if len(self.stored(pid)) != count:
            return self._fail(outcome, "stored as an answer")
        if expected_phase is not None and (step, phase) != (step_before, expected_phase):
            return self._fail(outcome, f"went to {step} {phase}, not {expected_phase}")
        if expected_phase is None and step == step_before and state != "done":
            return self._fail(outcome, "the read-back again")
        return outcome

    def _choice(self, sender, pid, step, question) -> Outcome:
        corpus_key = "share" if question.kind == "share" else question.key
        by_option = self.corpus.choices.get(corpus_key, {})
        options = [o.key for o in question.options if o.key in by_option]
        if question.kind == "consent" and {o.key for o in question.options} <= SEND_OR_COMMAND:
            # "Send them" (or change something, or later): the corpus's replies meaning "send it"
            chosen = question.options[0].key
            text, from_corpus = self.corpus.take(self.corpus.send, "send")
            category = "send" if from_corpus else "filler"
        elif options:
            chosen = options[next(self.option_turn[step]) % len(options)]
            text, category = next(by_option[chosen]), "choice"
        else:  # no typed replies for this choice in the corpus: type its title
            chosen, text, category = question.options[0].key, question.options[0].title, "filler"
        outcome = Outcome(category, text, f"{step} = {chosen}")
        before = self.where(pid)
        self.say(sender, text)
        if self.where(pid) == before:
            return self._fail(outcome, "asked the same again")
        if question.kind == "share":
            house = [a for a in self.stored(pid) if a.question_key in _house_keys(question)]
            if house and house[-1].share_with != chosen:
                return self._fail(outcome, f"shared with {house[-1].share_with}")
            return outcome
        choices = [a.choice for a in self.stored(pid) if a.question_key == step]
        if choices[-1:] != [chosen]:
            return self._fail(outcome, f"chose {choices[-1:]}")
        return outcome

    @staticmethod
    def _fail(outcome: Outcome, why: str) -> Outcome:
        outcome.ok, outcome.why = False, why
        return outcome


def _house_keys(share_question) -> set[str]:
    agenda = load_agenda()
    return {
        q.key
        for qs in agenda.sections.values()
        for q in qs
        if q.house == share_question.house and q.kind != "share"
    }


def figures(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    """Per category: (kept as meant, all)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        if outcome.category == "filler":
            continue
        counts[outcome.category][0] += outcome.ok
        counts[outcome.category][1] += 1
    return {category: (ok, total) for category, (ok, total) in sorted(counts.items())}


def report(outcomes: list[Outcome]) -> str:
    lines = [f"{c}: {ok}/{total} kept as meant" for c, (ok, total) in figures(outcomes).items()]
    lines += [f"  {o.category} at {o.where}: {o.text!r} — {o.why}" for o in outcomes if not o.ok]
    return "\n".join(lines)
