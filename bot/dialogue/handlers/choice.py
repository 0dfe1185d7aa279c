"""Questions with buttons: a choice, consent to share, and a young person's choice of who may
see a house. A consent option keyed back or pause does what that command does. Typing an
option's words, its number or a plain yes or no does what its button does; anything else
that says something is kept for the chair as a note."""

from __future__ import annotations

from bot.dialogue import parsing
from bot.dialogue.handlers.base import StepHandler
from bot.dialogue.replies import Reply, button
from bot.dialogue.steps import Step

# A consent option may, instead of sending, do what one of these commands does, so that
# "Shall I send your houses?" is a real choice: send, change something first, or later.
COMMANDS = ("back", "pause")


class ChoiceStep(StepHandler):
    def prompt(self, conv, step: Step) -> Reply:
        question = step.question
        text = conv.revising_note(step) + conv.say(question.text, step)
        buttons = [button(option.title, option.key) for option in question.options]
        return Reply(text, buttons + conv.skip_button(step))

    def answer(self, conv, step: Step, text: str) -> list[Reply]:
        options = step.question.options
        # Consent sends the answers at once: in a sentence only the option's own words
        # count, never a leading yes or no ("no worries", "I don't mind..." are asked again).
        consent = step.kind == "consent"
        option = parsing.match_option(
            text, options, conv.agenda.replies, yes_no_in_sentence=not consent
        )
        if option is None and consent and parsing.means(conv.agenda, text, "send", slips=False):
            option = next((o for o in options if o.key == "yes"), None)  # "ok send it"
        if option is None and step.kind == "choice":
            # "Partly. I got the social worker's report on Friday but...": the choice, and
            # the rest kept as a note for the chair (below).
            option, _ = parsing.leading_option(text, options, conv.agenda.replies)
        hint = "consent_needed" if consent else "pick_button"
        if option is None:
            if consent:  # who may read the answers is never assumed: asked until chosen
                if not conv.substantive(text):
                    return self.ask_again(conv, hint)
                return self.ask_again(conv, hint, conv.keep_note(step, text))
            return self.missed(conv, step, hint, text)
        own = {parsing.key(words) for words in (option.key, option.title, *option.also)}
        if len(parsing.key(text).split()) > 3 and parsing.key(text) not in own:
            conv.keep_note(step, text)  # "No, nobody sent it to me": the words matter too
        if step.kind == "share":
            conv.share_house(step.question.house, option.key)
            conv.advance()
            return []
        if consent and option.key in COMMANDS:  # "Not yet, I want to change something"
            return getattr(conv, option.key)()
        conv.save_answer(step, option.title, choice=option.key, flagged=option.flag)
        if consent:
            conv.submit(consent=option.key == "yes")
            return [conv.message("finished")]
        conv.advance()
        return []

    def skip(self, conv, step: Step) -> list[Reply] | None:
        if step.kind == "consent":
            return [conv.message("consent_needed")]
        return None
