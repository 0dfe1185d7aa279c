"""One participant's conversation: ask the current question, take an answer, move on.

Every role uses this same engine; what differs is the agenda. Each call runs inside the
caller's transaction, so an answer and the move to the next question are committed
together, before the next question is asked. Progress lives in the database (Progress),
so a restart, a lost tracker or another channel resumes at the same question.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from sqlalchemy.orm import Session

from bot import vocabulary, wording
from bot.agenda.loader import Agenda, fill, words
from bot.dialogue import parsing, safety
from bot.dialogue.handlers import handler_for
from bot.dialogue.replies import Reply, button
from bot.dialogue.state import Phase, PhaseData, State
from bot.dialogue.steps import Step, build_steps
from bot.model.answers import (
    NONE_GIVEN,
    current_answers,
    retire_answer,
    revise_answer,
    save_answer,
)
from bot.model.audit import record
from bot.model.pictures import pictures_of, share_pictures
from bot.model.scores import current_score, save_score
from bot.model.tables import Answer, Participant, Progress, Score, utcnow
from bot.safeguarding.alerts import record_dispute
from bot.safeguarding.script import helplines


def _and(names: list[str], conjunction: str) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


class Conversation:
    def __init__(self, session: Session, participant: Participant, agenda: Agenda):
        self.session = session
        self.participant = participant
        self.agenda = agenda
        self.conference = participant.conference
        self.audience = vocabulary.AUDIENCES[participant.role]
        child = next((c for c in self.conference.children if c.key == participant.child_key), None)
        self.band = agenda.band_for(child.age) if child else None
        self.steps = build_steps(agenda, participant, self.band)
        self.progress = session.get(Progress, participant.id)
        if self.progress is None:
            first = self.steps[0].id if self.steps else None
            self.progress = Progress(
                participant=participant, step=first, phase=Phase.ASK.value, data={}
            )
            session.add(self.progress)
            session.flush()

    # --- where we are -------------------------------------------------------------------

    @property
    def state(self) -> State:
        return State(self.progress.state)

    @property
    def at_a_question(self) -> bool:
        """Active, with a question to be at (not paused, stopped, sent, or without one)."""
        return self.state is State.ACTIVE and self.step is not None

    @property
    def finished(self) -> bool:
        return self.state is State.DONE

    @property
    def phase(self) -> Phase:
        return Phase(self.progress.phase)

    @property
    def data(self) -> PhaseData:
        return PhaseData.from_json(self.progress.data)

    def _index(self) -> int | None:
        ids = [step.id for step in self.steps]
        return ids.index(self.progress.step) if self.progress.step in ids else None

    @property
    def step(self) -> Step | None:
        index = self._index()
        return None if index is None else self.steps[index]

    def go(self, step: Step | None, phase: Phase = Phase.ASK, **data) -> None:
        """To a step and phase, with only the data that phase needs (and which child each
        section is about, which lasts the whole conversation)."""
        self.progress.step = step.id if step else None
        self.progress.phase = phase.value
        self.progress.data = PhaseData(**{"about": self.data.about, **data}).to_json()

    def update(self, **changes) -> None:
        self.progress.data = replace(self.data, **changes).to_json()

    def advance(self) -> None:
        index = self._index()
        following = self.steps[index + 1 :] if index is not None else []
        following = [step for step in following if self._asked(step)]
        if following:
            self.go(following[0])
        else:
            self.submit(consent=None)

    def _asked(self, step: Step) -> bool:
        """A question with only_if is asked only after one of the given choices; who may
        see a house only when the house has something in it."""
        house = step.question.house
        if step.kind == "share" and not (
            self._house_answers(house) or pictures_of(self.session, self.participant, house)
        ):
            return False
        for key, choices in (step.question.only_if or {}).items():
            chosen = {a.choice for a in current_answers(self.session, self.participant, [key])}
            if not chosen & {str(choice) for choice in choices}:
                return False
        return True

    # --- wording ------------------------------------------------------------------------

    def _context(self, step: Step | None = None, **extra) -> dict:
        children = [child.name for child in self.children_for(step)]
        chair = next((p.name for p in self.conference.participants if p.role == "chair"), None)
        context = {
            "name": wording.greeting_name(self.participant.name, self.audience),
            "date": wording.conference_date(self.conference.date),
            "local_authority": self.conference.local_authority,
            "children": _and(children, "and") if children else "your children",
            "children_or": _and(children, "or") if children else "your children",
            "chair": chair or "the chair",
        }
        due = self.agenda.report_deadline(self.conference)
        if due is not None:
            context["deadline"] = wording.day(due)
        statement = step.danger_statement if step is not None else None
        if statement is not None and self.audience == "young_person":
            # Never the adults' words to a child: the social worker's words for them, or
            # no statement at all (the scale then asks only how safe they feel).
            context.update(danger=statement.young_danger, safety_goal=statement.young_safety_goal)
            context["statement"] = ""
            if statement.young_danger:
                said = words(
                    self.agenda.messages["young_statement"],
                    self.audience,
                    self.conference.type,
                    self.band,
                )
                context["statement"] = fill(said, **context)
        elif statement is not None:
            context.update(danger=statement.danger, safety_goal=statement.safety_goal)
        return {**context, **extra}

    def say(self, wording_, step: Step | None = None, **extra) -> str:
        """A wording from the agenda, for this participant, with its names filled in."""
        text = words(wording_, self.audience, self.conference.type, self.band)
        return fill(text, **self._context(step, **extra))

    def message(self, key: str, **extra) -> Reply:
        return Reply(self.text(key, self.step, **extra))

    def text(self, key: str, step: Step | None = None, **extra) -> str:
        """An agenda message in this participant's wording, its names filled in."""
        return self.say(self.agenda.messages[key], step, **extra)

    def children_for(self, step: Step | None = None):
        keys = list(self.participant.children)
        if step is not None and step.danger_statement is not None:
            keys = [key for key in step.danger_statement.children if key in keys] or list(
                step.danger_statement.children
            )
        return [child for child in self.conference.children if not keys or child.key in keys]

    def substantive(self, text: str) -> bool:
        """Does the message say something, beyond small talk like "hello" or "thanks"?
        Emoji say something too: a child's "😢" in the house of worries is an answer."""
        if not parsing.key(text):
            return any(unicodedata.category(c) == "So" for c in text)
        return not parsing.means(self.agenda, text, "small_talk", slips=False)

    def revising_note(self, step: Step) -> str:
        """Back at an earlier question: what was said before, and how to keep it."""
        if not self.data.revising:
            return ""
        if step.kind == "score":
            score = current_score(self.session, self.participant, step.danger_statement)
            if score is None:
                return ""
            if self.phase is Phase.ASK:
                return self.text("changing_score", step, score=score.score) + "\n\n"
            old = getattr(score, self.phase.value)
        else:
            latest = current_answers(self.session, self.participant, [step.id])
            old = latest[-1].text if latest else None
        if not old:
            return ""
        return self.text("changing", step, text=old) + "\n\n"

    # --- asking and answering -----------------------------------------------------------

    def ask(self) -> list[Reply]:
        """The current question (after any information steps, which need no answer)."""
        replies = []
        while self.step is not None and self.step.kind == "info" and not self.finished:
            replies.append(Reply(self.say(self.step.question.text, self.step)))
            self.advance()
        if self.step is not None and not self.finished:
            replies.append(handler_for(self.step.kind).ask(self, self.step))
        return replies

    def next_question(self) -> list[Reply]:
        """What ends every turn: the question the participant is at, unless they left it
        (paused, stopped, sent) or a child was just asked whether they want to stop."""
        if self.state is not State.ACTIVE or self.data.stop_asked:
            return []
        if self.data.safety_check:  # "Are you safe right now?" comes first
            return safety.check_pending(self)
        return self.ask()

    def offered(self, text: str) -> bool:
        """Is the message one of the buttons offered at this question (its title or
        payload)? A button press says nothing of danger."""
        if self.step is None:
            return False
        said = parsing.key(text)
        buttons = handler_for(self.step.kind).prompt(self, self.step).buttons
        return any(said in (parsing.key(b["title"]), parsing.key(b["payload"])) for b in buttons)

    def answer(self, text: str) -> list[Reply]:
        """Take what the participant typed (or the button they pressed) at this question."""
        step = self.step
        if step is None or self.finished:
            return []
        text = text.strip()
        if self.data.stop_asked:  # a child was asked "do you want to stop the chat?"
            if parsing.matches(text, [self.text("stop_yes"), "yes"], slips=True):
                return self.stop()
            self.update(stop_asked=False)
            if parsing.matches(text, [self.text("stop_no"), "carry on", "no"], slips=True):
                return []  # the question again (asked after every turn)
        self.update(again=None)
        skip_title = step.question.skip_button and self.say(step.question.skip_button, step)
        if skip_title and parsing.key(text) == parsing.key(skip_title):
            # typing a button's title is the same as pressing it
            none = self.none_button(step)
            return self.answer_none(step, none) if none else self.skip()
        return handler_for(step.kind).answer(self, step, text)

    def none_button(self, step: Step) -> str | None:
        """The words of a button like "None known" or "Nothing to add", which answers that
        there is none; None where the question has no such button, or only "Skip" (or
        words that are a command, like "Not now")."""
        title = step.question.skip_button and self.say(step.question.skip_button, step)
        if not title or self.agenda.command(title):
            return None
        return title

    def skip_button(self, step: Step) -> list[dict]:
        """The question's button for leaving it: "Skip" sends skip; a button of none ("None
        known") sends its own words, so pressing it is typing them: an answer of none."""
        if not step.question.skip_button:
            return []
        none = self.none_button(step)
        return [button(none) if none else button(self.say(step.question.skip_button, step), "skip")]

    def means_none(self, step: Step, text: str) -> bool:
        """A reply of none in the button's own word: "none" at "None known", "nothing" at
        "Nothing to add" (not "no, that's all" at "Nobody at the moment")."""
        none = self.none_button(step)
        said = set(parsing.key(text).split())
        return bool(none) and bool(parsing.NEGATION & said & set(parsing.key(none).split()))

    def answer_none(self, step: Step, words: str) -> list[Reply]:
        """An answer of none, in the button's words: for the chair, never in a column."""
        latest = current_answers(self.session, self.participant, [step.id])
        answer = save_answer(self.session, self.participant, None, step.id, words)
        answer.choice = NONE_GIVEN
        if self.data.revising and latest:  # back at this question: "None known" after all
            retire_answer(self.session, latest[-1], self.participant.actor, by=answer)
        self.advance()
        return [self.message("noted_none")]

    # --- what the handlers store --------------------------------------------------------

    def save_answer(self, step: Step, text: str, **fields) -> Answer:
        """Save an answer to this step, or change the latest one when the participant went back."""
        # Only a revision reads the earlier answers: a question answered 400 times ("anything
        # else?") costs no more at the last than at the first.
        latest = (
            current_answers(self.session, self.participant, [step.id]) if self.data.revising else []
        )
        if latest:
            answer = self.revise(latest[-1], text)
        else:
            children = [child.key for child in self.children_for(step)]
            # A child's house is private until they choose who may see it.
            share_with = "chair_and_social_worker" if step.question.house else "everyone"
            answer = save_answer(
                self.session,
                self.participant,
                step.question.column,
                step.id,
                text,
                children,
                share_with=share_with,
            )
        for name, value in fields.items():
            setattr(answer, name, value)
        return answer

    def revise(self, answer: Answer, text: str) -> Answer:
        """New words for an answer. Words in place of "None known" are an answer after all,
        in the question's column."""
        if answer.choice != NONE_GIVEN:
            return revise_answer(self.session, answer, text, self.participant.actor)
        question = self.agenda.question(answer.question_key)
        given = save_answer(
            self.session,
            self.participant,
            question.column if question else None,
            answer.question_key,
            text,
            answer.children,
            share_with=answer.share_with,
        )
        retire_answer(self.session, answer, self.participant.actor, by=given)
        return given

    def save_score(self, statement, **values) -> Score:
        """Set this participant's score on a danger statement: the number, why, or what
        would move it up (bot/model/scores.py keeps every version)."""
        return save_score(
            self.session, self.participant, statement, self.participant.actor, **values
        )

    def keep_note(self, step: Step, text: str) -> Reply:
        """Something typed that was not the answer asked for: kept for the chair, never lost."""
        self.note(step, text)
        return self.message("kept")

    def note(self, step: Step, text: str) -> Answer:
        return save_answer(self.session, self.participant, None, f"{step.id}:note", text)

    def set_children(self, answer_id: int, children: list[str]) -> None:
        answer = self.session.get(Answer, answer_id)
        answer.children = children
        record(
            self.session,
            self.participant.actor,
            "answer_children_set",
            "answer",
            answer.id,
            children=children,
        )

    def _house_answers(self, house: str) -> list[Answer]:
        keys = {s.id for s in self.steps if s.question.house == house and s.kind != "share"}
        return current_answers(self.session, self.participant, keys)

    def share_house(self, house: str, share_with: str) -> None:
        """A young person's choice of who may see a house applies to all its answers, and
        to the pictures she sent there."""
        for answer in self._house_answers(house):
            answer.share_with = share_with
        share_pictures(self.session, self.participant, house, share_with)
        record(
            self.session,
            self.participant.actor,
            "house_shared",
            "participant",
            self.participant.id,
            house=house,
            share_with=share_with,
        )

    def submit(self, consent: bool | None) -> None:
        self.participant.consent_to_share = consent
        self.participant.response_status = "submitted"
        self.participant.submitted_at = utcnow()
        self.progress.state = State.DONE.value
        self.go(None)
        record(
            self.session,
            self.participant.actor,
            "answers_submitted",
            "participant",
            self.participant.id,
            consent=consent,
        )

    # --- commands -----------------------------------------------------------------------

    def back(self) -> list[Reply]:
        step = self.step
        if step is None or handler_for(step.kind).back(self, step):
            return []
        earlier = [s for s in self.steps[: self._index()] if s.kind != "info" and self._asked(s)]
        if not earlier:
            return [self.message("back_at_start")]
        self.go(earlier[-1], Phase.ASK, revising=True)
        return []

    def skip(self) -> list[Reply]:
        step, phase = self.step, self.phase
        if step is None:
            return []
        if step.kind not in ("consent", "check"):
            record(
                self.session,
                self.participant.actor,
                "question_skipped",
                "participant",
                self.participant.id,
                step=step.id,
                phase=phase.value,
            )
        # Back at an earlier answer, skip keeps it: said so, not "we'll leave that one".
        kept = [self.message("kept_answer")] if self.revising_note(step) else []
        within = handler_for(step.kind).skip(self, step)
        if within is not None:
            return kept + within
        self.advance()
        return kept or ([self.message("skipped")] if phase is Phase.ASK else [])

    # --- safeguarding -------------------------------------------------------------------

    def misunderstood(self, text: str = "") -> list[Reply]:
        """Noted beside the latest alert; with no alert to dispute, the words are an answer."""
        alert = record_dispute(self.session, self.participant, text or "misunderstood")
        if alert:
            return [Reply(helplines()["misunderstood"].strip())]
        if text and self.state is State.ACTIVE:
            return self.answer(text)
        return self.help()

    def help(self) -> list[Reply]:
        return [self.message("help")]

    def pause(self) -> list[Reply]:
        return self._set_state(State.PAUSED)

    def stop(self) -> list[Reply]:
        """Stop for now; a child is first asked once whether they mean it."""
        if self.audience == "young_person" and self.at_a_question and not self.data.stop_asked:
            self.update(stop_asked=True)
            choices = [button(self.text("stop_yes"), "stop"), button(self.text("stop_no"))]
            return [Reply(self.text("stop_check"), choices)]
        self.update(stop_asked=False)
        return self._set_state(State.STOPPED)

    def _set_state(self, state: State) -> list[Reply]:
        if self.finished:
            return [self.message("already_sent")]
        self.progress.state = state.value
        record(
            self.session,
            self.participant.actor,
            f"conversation_{state.value}",
            "participant",
            self.participant.id,
            step=self.progress.step,
        )
        return [self.message(state.value)]

    def resume(self) -> list[Reply]:
        """Carry on after a pause, a stop or a lost conversation: say where we were."""
        was_begun = self._index() not in (None, 0) or self.phase is not Phase.ASK
        carrying_on = self.data.stop_asked  # a child who said "no, carry on" never left
        self.progress.state = State.ACTIVE.value
        self.update(again=None, stop_asked=False)
        return [self.message("resumed")] if was_begun and not carrying_on else []

    def add_late(self, text: str) -> list[Reply]:
        """After sending: anything more goes to the chair, marked as added after sending."""
        if parsing.means(self.agenda, text, "nothing_more", slips=False):
            return [self.message("goodbye")]  # "no thanks", "bye": nothing to add
        if not self.substantive(text):
            return [self.message("already_sent")]
        answer = save_answer(self.session, self.participant, None, "late_addition", text)
        answer.late = True
        return [self.message("late_added")]
