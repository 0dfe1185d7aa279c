"""A danger statement's 0-10 scale: the number, then why, then what would move it up one
point. The rules for storing them are in bot/model/scores.py."""

from __future__ import annotations

from bot import vocabulary
from bot.dialogue import parsing
from bot.dialogue.handlers.base import StepHandler
from bot.dialogue.replies import Reply, score_button
from bot.dialogue.state import Phase
from bot.dialogue.steps import Step
from bot.model.scores import current_score, previous_score


class ScoreStep(StepHandler):
    repeat_question_after_hint = False  # the danger statement is long: the buttons suffice

    def prompt(self, conv, step: Step) -> Reply:
        question = step.question
        if conv.phase in (Phase.REASON, Phase.NEXT_POINT):
            score = self.current(conv, step).score
            key = "at_top" if conv.phase is Phase.NEXT_POINT and score == 10 else conv.phase.value
            text = conv.say(question.prompts[key], step, score=score, next_score=score + 1)
            return Reply(conv.revising_note(step) + text)
        text = conv.revising_note(step) + conv.say(question.text, step)
        buttons = [score_button(number, question.faces) for number in vocabulary.SCORE_RANGE]
        return Reply(text, buttons)

    def answer(self, conv, step: Step, text: str) -> list[Reply]:
        if conv.phase in (Phase.REASON, Phase.NEXT_POINT):
            return self._explain(conv, step, text)
        number, reason = parsing.score_and_reason(text)
        if number is None or number == parsing.OUT_OF_RANGE:
            hint = "score_out_of_range" if number else "score_retry"
            if parsing.key(text).isdigit():
                return self.ask_again(conv, hint)
            return self.missed(conv, step, hint, text)
        # "7 because Dave has moved out": the reason is kept, and not asked for again.
        given = self._explains(conv, reason)
        score = conv.save_score(step.danger_statement, score=number, **given)
        phase = Phase.NEXT_POINT if given else Phase.REASON
        conv.go(step, phase, score_id=score.id, revising=conv.data.revising)
        previous = previous_score(conv.session, conv.participant, step.danger_statement)
        if previous is not None and "previous" in step.question.prompts:
            return [Reply(conv.say(step.question.prompts["previous"], step, previous=previous))]
        return []

    @staticmethod
    def _explains(conv, reason: str) -> dict:
        """The words given with a number, as its reason: not "i think" or "thanks", nor a
        reply of none ("7, not sure", "6, nothing else"), after which why is asked."""
        if not conv.substantive(reason) or any(
            parsing.means(conv.agenda, reason, group)
            for group in ("filler", "nothing_more", "stuck")
        ):
            return {}
        return {"reason": reason}

    def _explain(self, conv, step: Step, text: str) -> list[Reply]:
        """Why this number, and what would move it up: open questions, so any words count."""
        if not step.question.takes_yes_no and parsing.means(
            conv.agenda, text, "nothing_more", slips=False
        ):
            return conv.skip()
        if parsing.means(conv.agenda, text, "stuck", slips=False):
            return self.stuck(conv, step, f"example_{conv.phase.value}")
        if parsing.means(conv.agenda, text, "yes", slips=False):
            return [conv.message("tell_more")]
        if not conv.substantive(text):
            return self.ask_again(conv, "open_hint")
        conv.save_score(step.danger_statement, **{conv.phase.value: text})
        if conv.phase is Phase.REASON:
            score = self.current(conv, step)
            conv.go(step, Phase.NEXT_POINT, score_id=score.id, revising=conv.data.revising)
        else:
            conv.advance()
        return []

    @staticmethod
    def current(conv, step: Step):
        return current_score(conv.session, conv.participant, step.danger_statement)

    def back(self, conv, step: Step) -> bool:
        if conv.phase is Phase.REASON:
            conv.go(step, Phase.ASK, revising=True)
            return True
        if conv.phase is Phase.NEXT_POINT:
            conv.go(step, Phase.REASON, revising=True, score_id=conv.data.score_id)
            return True
        return False

    def skip(self, conv, step: Step) -> list[Reply] | None:
        if conv.phase is Phase.REASON:
            conv.go(step, Phase.NEXT_POINT, score_id=conv.data.score_id)
            return []
        if conv.phase is Phase.NEXT_POINT:
            conv.advance()
            return []
        return None
