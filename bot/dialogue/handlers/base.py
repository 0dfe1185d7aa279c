"""What every kind of step shares: asking again briefly after a reply that matched nothing."""

from __future__ import annotations

from bot.dialogue.replies import Reply
from bot.dialogue.steps import Step


class StepHandler:
    # Kinds whose question is long (a read-back, a danger statement) are not repeated
    # after a hint: the hint and the buttons are enough.
    repeat_question_after_hint = True
    can_be_left = True  # after a second reply that is none of the options

    def prompt(self, conv, step: Step) -> Reply:
        raise NotImplementedError

    def answer(self, conv, step: Step, text: str) -> list[Reply]:
        raise NotImplementedError

    def back(self, conv, step: Step) -> bool:
        """Go back within this step; False when back means the step before."""
        return False

    def skip(self, conv, step: Step) -> list[Reply] | None:
        """Skip within this step; None when skip means leaving the step."""
        return None

    def ask(self, conv, step: Step) -> Reply:
        """The question, or after a reply that matched nothing, the hint and the choices."""
        hint = conv.data.again
        reply = self.prompt(conv, step)
        if not hint:
            return reply
        text = conv.message(hint).text
        if self.repeat_question_after_hint:
            text += "\n\n" + reply.text
        return Reply(text, reply.buttons)

    def missed(self, conv, step: Step, hint: str, text: str) -> list[Reply]:
        """A reply that is none of the options. Words that say something are kept for the
        chair; the question is asked again once, then left, so nobody is stuck at it."""
        if not conv.substantive(text):
            return self.ask_again(conv, hint)
        kept = conv.keep_note(step, text)
        if conv.data.misses >= 1 and self.can_be_left:
            conv.advance()
            return [conv.message("kept_moving_on")]
        conv.update(misses=conv.data.misses + 1)
        return self.ask_again(conv, hint, kept)

    @staticmethod
    def stuck(conv, step: Step, example: str) -> list[Reply]:
        """ "I don't know what to say": an example for this kind of question first; said
        again, we go on kindly (recorded as skipped), nothing stored as an answer."""
        if not conv.data.stuck:
            conv.update(stuck=True)
            return [conv.message(example)]
        leave = conv.message("stuck_leave")
        conv.skip()
        return [leave]

    @staticmethod
    def ask_again(conv, hint: str, *replies: Reply) -> list[Reply]:
        """Stay at this question; it is asked again briefly, after the hint."""
        conv.update(again=hint)
        return list(replies)
