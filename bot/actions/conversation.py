"""An answer, the commands that work at any question, and "you misunderstood": each one action
(bot/actions/turn.py asks the next question)."""

from __future__ import annotations

from bot.actions.turn import Turn, carry_on
from bot.dialogue import safety


class ActionAnswer(Turn):
    """Whatever is typed at a question: saved (committed before the next question is
    asked), with help first where it needs it (bot/dialogue/safety.py)."""

    action_name = "action_answer"

    def at_question(self, conversation, text, finding):
        return safety.take(conversation, text, finding)


class CommandAction(Turn):
    """back, skip, help, pause, stop. help, pause and stop do the same wherever the
    participant is; back and skip away from a question just carry on."""

    command = ""
    anywhere = False

    def name(self) -> str:
        return self.action_name or f"action_{self.command}"

    def at_question(self, conversation, text, finding):
        return getattr(conversation, self.command)()

    def elsewhere(self, conversation, text, finding):
        if self.anywhere:
            return self.at_question(conversation, text, finding)
        return carry_on(conversation, text, finding)


class ActionBack(CommandAction):
    command = "back"
    leaves_check = True
    action_name = "action_go_back"  # not Rasa's own action_back, which undoes a message


class ActionSkip(CommandAction):
    command = "skip"
    leaves_check = True


class ActionHelp(CommandAction):
    command = "help"
    anywhere = True


class ActionPause(CommandAction):
    command = "pause"
    anywhere = True


class ActionStop(CommandAction):
    command = "stop"
    anywhere = True


class ActionMisunderstood(Turn):
    """ "You misunderstood": noted beside the alert, which is never deleted."""

    action_name = "action_misunderstood"

    def at_question(self, conversation, text, finding):
        return conversation.misunderstood(text)

    elsewhere = at_question
