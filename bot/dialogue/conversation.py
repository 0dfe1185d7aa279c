"""One participant's conversation: ask the current question, take an answer, move on.

Every role uses this same engine; what differs is the agenda. Each call runs inside the
caller's transaction, so an answer and the move to the next question are committed
together, before the next question is asked. Progress lives in the database (Progress),
so a restart, a lost tracker or another channel resumes at the same question.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot import deadlines, vocabulary, wording
from bot.agenda.loader import Agenda, fill, words
from bot.dialogue import parsing, scores
from bot.dialogue.check import check_answer, check_prompt
from bot.dialogue.replies import Reply, button, score_button
from bot.dialogue.steps import Step, build_steps
from bot.model.answers import current_answers, revise_answer, save_answer
from bot.model.audit import record
from bot.model.tables import Answer, Participant, Progress, Score, utcnow
from bot.safeguarding.alerts import raise_alert, record_dispute
from bot.safeguarding.detector import Finding
from bot.safeguarding.script import helplines, script_for


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
            self.progress = Progress(participant=participant, step=first, phase="ask", data={})
            session.add(self.progress)
            session.flush()

    # --- where we are -------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.progress.state == "done"

    @property
    def state(self) -> str:
        return self.progress.state

    def _index(self) -> int | None:
        ids = [step.id for step in self.steps]
        return ids.index(self.progress.step) if self.progress.step in ids else None

    @property
    def step(self) -> Step | None:
        index = self._index()
        return None if index is None else self.steps[index]

    def go(self, step: Step | None, phase: str = "ask", **data) -> None:
        self.progress.step = step.id if step else None
        self.progress.phase = phase
        self.progress.data = data

    def set_phase(self, phase: str, **data) -> None:
        self.progress.phase = phase
        self.progress.data = {**self.progress.data, **data}

    def advance(self) -> None:
        index = self._index()
        following = self.steps[index + 1 :] if index is not None else []
        following = [step for step in following if self._asked(step)]
        if following:
            self.go(following[0])
        else:
            self._submit(consent=None)

    def _asked(self, step: Step) -> bool:
        """A question with only_if is asked only after one of the given choices; who may
        see a house only when the house has something in it."""
        if step.kind == "share" and not self._house_answers(step.question.house):
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
        days = self.agenda.report_deadline_working_days.get(self.conference.type)
        if days is not None:
            due = deadlines.working_days_before(self.conference.date.date(), days)
            context["deadline"] = wording.day(due)
        if step is not None and step.danger_statement is not None:
            context.update(
                danger=step.danger_statement.danger, safety_goal=step.danger_statement.safety_goal
            )
        return {**context, **extra}

    def say(self, wording_, step: Step | None = None, **extra) -> str:
        """A wording from the agenda, for this participant, with its names filled in."""
        text = words(wording_, self.audience, self.conference.type, self.band)
        return fill(text, **self._context(step, **extra))

    def message(self, key: str, **extra) -> Reply:
        return Reply(self.say(self.agenda.messages[key], self.step, **extra))

    def children_for(self, step: Step | None = None):
        keys = list(self.participant.children)
        if step is not None and step.danger_statement is not None:
            keys = [key for key in step.danger_statement.children if key in keys] or list(
                step.danger_statement.children
            )
        return [child for child in self.conference.children if not keys or child.key in keys]

    # --- asking -------------------------------------------------------------------------

    def ask(self) -> list[Reply]:
        """The current question (after any information steps, which need no answer)."""
        replies = []
        while self.step is not None and self.step.kind == "info" and not self.finished:
            replies.append(Reply(self.say(self.step.question.text, self.step)))
            self.advance()
        if self.step is not None and not self.finished:
            replies.append(self._prompt(self.step, self.progress.phase))
        return replies

    def _prompt(self, step: Step, phase: str) -> Reply:
        question, data = step.question, self.progress.data
        if step.kind == "check":
            return check_prompt(self, phase)
        if phase == "children":
            children = self.children_for(step)
            everyone = "both_children" if len(children) == 2 else "all_children"
            buttons = [button(child.name) for child in children]
            return Reply(
                self.message("which_child").text,
                buttons + [button(self.agenda.messages[everyone], "all")],
            )
        if phase == "more":
            return Reply(
                self.message("anything_else").text, [button(self.agenda.messages["no_more"], "no")]
            )
        if phase in ("reason", "next_point"):
            score = self.session.get(Score, data["score_id"]).score
            prompt = "at_top" if phase == "next_point" and score == 10 else phase
            text = self.say(question.prompts[prompt], step, score=score, next_score=score + 1)
            return Reply(self._revising_note(step) + text)
        text = self._revising_note(step) + self.say(question.text, step)
        buttons = [button(option.title, option.key) for option in question.options]
        if step.kind == "score":
            buttons = [score_button(number, question.faces) for number in vocabulary.SCORE_RANGE]
        buttons += [button(suggestion) for suggestion in question.suggestions]
        if question.skip_button:
            buttons.append(button(self.say(question.skip_button, step), "skip"))
        return Reply(text, buttons)

    def _revising_note(self, step: Step) -> str:
        if not self.progress.data.get("revising"):
            return ""
        if step.kind == "score":
            score = scores.current_score(self, step)
            if score is None:
                return ""
            if self.progress.phase == "ask":
                return (
                    self.say(self.agenda.messages["changing_score"], step, score=score.score)
                    + "\n\n"
                )
            old = getattr(score, self.progress.phase)
        else:
            latest = self._current_answers(step)
            old = latest[-1].text if latest else None
        if not old:
            return ""
        return self.say(self.agenda.messages["changing"], step, text=old) + "\n\n"

    # --- answering ----------------------------------------------------------------------

    def answer(self, text: str) -> list[Reply]:
        """Take what the participant typed (or the button they pressed) at this question."""
        step = self.step
        if step is None or self.finished:
            return []
        text = text.strip()
        skip_title = step.question.skip_button and self.say(step.question.skip_button, step)
        if skip_title and parsing.normalise(text) == parsing.normalise(skip_title):
            return self.skip()  # typing a button's title is the same as pressing it
        if step.kind == "check":
            return check_answer(self, text)
        if step.kind in ("choice", "consent", "share"):
            return self._answer_choice(step, text)
        if step.kind == "score":
            return scores.answer_score(self, step, text)
        return self._answer_text(step, text)

    def _current_answers(self, step: Step) -> list[Answer]:
        return current_answers(self.session, self.participant, [step.id])

    def _save(self, step: Step, text: str, **fields) -> Answer:
        """Save an answer to this step, or change the latest one when the participant went back."""
        latest = self._current_answers(step)
        if self.progress.data.get("revising") and latest:
            answer = revise_answer(
                self.session, latest[-1], text, f"participant:{self.participant.key}"
            )
        else:
            children = [child.key for child in self.children_for(step)]
            answer = save_answer(
                self.session, self.participant, step.question.column, step.id, text, children
            )
        for name, value in fields.items():
            setattr(answer, name, value)
        return answer

    def keep_note(self, step: Step, text: str) -> Reply:
        """Something typed that was not the answer asked for: kept for the chair, never lost."""
        save_answer(self.session, self.participant, None, f"{step.id}:note", text)
        return self.message("kept")

    def _answer_text(self, step: Step, text: str) -> list[Reply]:
        phase = self.progress.phase
        if phase == "children":
            return self._answer_children(step, text)
        if phase == "more" and parsing.means_nothing_more(text):
            self.advance()
            return []
        if phase == "more" and parsing.normalise(text) in parsing.YES:
            return [self.message("tell_more")]
        revising = self.progress.data.get("revising") and phase == "ask"
        answer = self._save(step, text)
        self.progress.data = {}
        if not revising and step.question.about_children and len(self.children_for(step)) > 1:
            self.set_phase("children", answer_id=answer.id)
        elif step.question.repeat:
            self.set_phase("more")
        else:
            self.advance()
        return []

    def _answer_children(self, step: Step, text: str) -> list[Reply]:
        said = parsing.normalise(text)
        children = self.children_for(step)
        if said in ("all", "both", "all of them", "everyone", "both of them"):
            chosen = children
        else:
            chosen = [child for child in children if parsing.normalise(child.name) in said.split()]
        answer = self.session.get(Answer, self.progress.data["answer_id"])
        if not chosen:
            # Not a child's name: the last answer stays about all of them, and what was
            # typed is taken as one more answer, never dropped.
            if step.question.repeat:
                self.go(step, "more")
                return self._answer_text(step, text)
            return [self.keep_note(step, text), self.message("pick_button")]
        answer.children = [child.key for child in chosen]
        record(
            self.session,
            f"participant:{self.participant.key}",
            "answer_children_set",
            "answer",
            answer.id,
            children=answer.children,
        )
        if step.question.repeat:
            self.go(step, "more")
        else:
            self.advance()
        return []

    def _answer_choice(self, step: Step, text: str) -> list[Reply]:
        option = parsing.match_option(text, step.question.options)
        if option is None:
            retry = "consent_needed" if step.kind == "consent" else "pick_button"
            return [self.keep_note(step, text), self.message(retry)]
        if step.kind == "share":
            self._share_house(step.question.house, option.key)
            self.advance()
            return []
        self._save(step, option.title, choice=option.key, flagged=option.flag)
        if step.kind == "consent":
            self._submit(consent=option.key == "yes")
            return [self.message("finished")]
        self.advance()
        return []

    def _house_answers(self, house: str) -> list[Answer]:
        keys = {s.id for s in self.steps if s.question.house == house and s.kind != "share"}
        return current_answers(self.session, self.participant, keys)

    def _share_house(self, house: str, share_with: str) -> None:
        """A young person's choice of who may see a house applies to all its answers."""
        for answer in self._house_answers(house):
            answer.share_with = share_with
        record(
            self.session,
            f"participant:{self.participant.key}",
            "house_shared",
            "participant",
            self.participant.id,
            house=house,
            share_with=share_with,
        )

    def _submit(self, consent: bool | None) -> None:
        self.participant.consent_to_share = consent
        self.participant.response_status = "submitted"
        self.participant.submitted_at = utcnow()
        self.progress.state = "done"
        self.go(None)
        record(
            self.session,
            f"participant:{self.participant.key}",
            "answers_submitted",
            "participant",
            self.participant.id,
            consent=consent,
        )

    # --- commands -----------------------------------------------------------------------

    def back(self) -> list[Reply]:
        step, phase = self.step, self.progress.phase
        if step is None:
            return []
        if phase in ("children", "more") or (step.kind == "score" and phase == "reason"):
            self.go(step, "ask", revising=True)
            return []
        if phase == "next_point":
            self.go(step, "reason", revising=True, score_id=self.progress.data["score_id"])
            return []
        if step.kind == "check" and phase != "ask":
            self.go(step)
            return []
        earlier = [s for s in self.steps[: self._index()] if s.kind != "info"]
        if not earlier:
            return [self.message("back_at_start")]
        self.go(earlier[-1], "ask", revising=True)
        return []

    def skip(self) -> list[Reply]:
        step, phase = self.step, self.progress.phase
        if step is None:
            return []
        if step.kind == "consent":
            return [self.message("consent_needed")]
        if step.kind == "check":
            self.go(step)
            return []
        record(
            self.session,
            f"participant:{self.participant.key}",
            "question_skipped",
            "participant",
            self.participant.id,
            step=step.id,
            phase=phase,
        )
        if phase == "children" and step.question.repeat:
            self.go(step, "more")
        elif phase == "reason":
            self.go(step, "next_point", score_id=self.progress.data["score_id"])
        else:
            self.advance()
            return [self.message("skipped")] if phase == "ask" else []
        return []

    # --- safeguarding -------------------------------------------------------------------

    def safeguard(self, text: str, finding: Finding) -> list[Reply]:
        """A child may be in danger: record the alert, show the help; the question waits."""
        raise_alert(self.session, self.participant, finding, text)
        return script_for(self.participant.role, self.band)

    def note_concern(self, text: str, finding: Finding) -> None:
        """A worry for the chair (past harm, fear): recorded, the conversation goes on."""
        raise_alert(self.session, self.participant, finding, text)

    def misunderstood(self, text: str = "") -> list[Reply]:
        alert = record_dispute(self.session, self.participant, text or "misunderstood")
        return [Reply(helplines()["misunderstood"].strip())] if alert else []

    def help(self) -> list[Reply]:
        return [self.message("help")]

    def pause(self) -> list[Reply]:
        return self._set_state("paused")

    def stop(self) -> list[Reply]:
        return self._set_state("stopped")

    def _set_state(self, state: str) -> list[Reply]:
        if self.finished:
            return [self.message("already_sent")]
        self.progress.state = state
        record(
            self.session,
            f"participant:{self.participant.key}",
            f"conversation_{state}",
            "participant",
            self.participant.id,
            step=self.progress.step,
        )
        return [self.message(state)]

    def resume(self) -> list[Reply]:
        """Carry on after a pause, a stop or a lost conversation: say where we were."""
        was_begun = self._index() not in (None, 0) or self.progress.phase != "ask"
        self.progress.state = "active"
        return [self.message("resumed")] if was_begun else []

    def add_late(self, text: str) -> list[Reply]:
        """After sending: anything more goes to the chair, marked as added after sending."""
        answer = save_answer(self.session, self.participant, None, "late_addition", text)
        answer.late = True
        return [self.message("late_added")]
