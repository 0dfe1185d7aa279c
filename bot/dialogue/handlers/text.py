"""Open questions: the answer in the participant's own words, which child it is about, and
"is there anything else?" where a question repeats.

Whatever is typed here is an answer, word for word, except a few whole-message replies
that say there is nothing to add ("no", "that's all"; the words of a button like "None
known", or its own word "none", are that button, an answer of none), a bare "yes" to a
question that asks whether there is something ("Go ahead, type it here"), "I don't know
what to say" (an example), and small talk ("hello").

Which child: an answer that names a child, or "the kids", is about them; otherwise the
parent is asked once per section, and that choice stands for the rest of the section.
"""

from __future__ import annotations

from bot.dialogue import parsing
from bot.dialogue.handlers.base import StepHandler
from bot.dialogue.replies import Reply, button
from bot.dialogue.state import Phase
from bot.dialogue.steps import Step

EVERYONE = ("all", "both", "all of them", "both of them", "everyone", "the two of them")
UNSURE = ("neither", "neither of them", "not sure", "dont know", "idk", "dunno")
NAME_FILLER = {"and", "just", "only", "about", "its", "it", "for", "mainly", "mostly", "the"}


class TextStep(StepHandler):
    def prompt(self, conv, step: Step) -> Reply:
        question = step.question
        if conv.phase is Phase.CHILDREN:
            children = conv.children_for(step)
            everyone = "both_children" if len(children) == 2 else "all_children"
            buttons = [button(child.name) for child in children]
            return Reply(
                conv.message("which_child").text,
                buttons + [button(conv.text(everyone), "all")],
            )
        if conv.phase is Phase.MORE:
            return Reply(
                conv.message("anything_else").text,
                [button(conv.text("no_more"), "no")],
            )
        text = conv.revising_note(step) + conv.say(question.text, step)
        buttons = [button(suggestion) for suggestion in question.suggestions]
        return Reply(text, buttons + conv.skip_button(step))

    def answer(self, conv, step: Step, text: str) -> list[Reply]:
        if conv.phase is Phase.CHILDREN:
            return self._children(conv, step, text)
        if conv.phase is Phase.MORE:
            return self._more(conv, step, text)
        agenda = conv.agenda
        nothing = parsing.means(agenda, text, "nothing_more", slips=False)
        if nothing and conv.means_none(step, text):  # "none" at "None known": that button
            return conv.answer_none(step, conv.none_button(step))
        if not step.question.takes_yes_no:
            if nothing:
                return conv.skip()
            if parsing.means(agenda, text, "yes", slips=False):
                return [conv.message("tell_more")]
        if parsing.means(agenda, text, "stuck", slips=False):
            return self.stuck(conv, step, f"example_{step.question.column or 'for_chair'}")
        if not conv.substantive(text):
            return self.ask_again(conv, "open_hint")
        self.save(conv, step, text)
        return []

    def save(self, conv, step: Step, text: str) -> None:
        """Keep the answer, then ask which child it is about, or for more, or move on."""
        revising = conv.data.revising
        answer = conv.save_answer(step, text)
        children = conv.children_for(step)
        if not revising and step.question.about_children and len(children) > 1:
            about = self._named(conv, text, children) or conv.data.about.get(step.question.section)
            if about is None:  # not named, and not yet asked in this section
                conv.go(step, Phase.CHILDREN, answer_id=answer.id)
                return
            answer.children = [key for key in about if key in {c.key for c in children}]
        if step.question.repeat:
            conv.go(step, Phase.MORE)
        else:
            conv.advance()

    @staticmethod
    def _named(conv, text: str, children) -> list[str] | None:
        """The children an answer names: by name ("leo loves his football"), or all of them
        ("the kids", "both of them"); None when it names nobody."""
        if parsing.spans(parsing.key(text), conv.agenda.replies.get("all_children", ()))[0]:
            return [child.key for child in children]
        named = parsing.names_in(text, [child.name for child in children])
        return [child.key for child in children if child.name in named] or None

    def _more(self, conv, step: Step, text: str) -> list[Reply]:
        agenda = conv.agenda
        if parsing.means(agenda, text, "nothing_more", slips=False) or parsing.means(
            agenda, text, "stuck", slips=False
        ):
            conv.advance()
            return []
        if parsing.means(conv.agenda, text, "yes", slips=False):
            return [conv.message("tell_more")]
        if not conv.substantive(text):
            return self.ask_again(conv, "more_hint")
        conv.go(step, Phase.ASK)
        self.save(conv, step, text)
        return []

    def _children(self, conv, step: Step, text: str) -> list[Reply]:
        children = conv.children_for(step)
        chosen = self.chosen_children(conv, text, children)
        if chosen == []:  # "no", "neither", "not sure": it stays about all of them
            chosen = children
        kept = []
        if chosen is None:
            if not conv.substantive(text) or parsing.means(conv.agenda, text, "yes", slips=False):
                return self.ask_again(conv, "pick_button")
            # Not a child's name (a worry, say, after a strength): kept for the chair, not
            # filed as one more answer to this question. The answer stays about them all.
            kept = [conv.keep_note(step, text)]
            chosen = children
        about = [child.key for child in chosen]
        conv.set_children(conv.data.answer_id, about)
        # Asked once in this section: the choice stands for its other answers.
        conv.update(about={**conv.data.about, step.question.section: about})
        if step.question.repeat:
            conv.go(step, Phase.MORE)
        else:
            conv.advance()
        return kept

    @staticmethod
    def chosen_children(conv, text: str, children) -> list | None:
        """The children a reply names ("Ava", "just leo", "both", "the first one"); [] for
        no choice ("neither", "not sure"); None when it is not a choice but more words."""
        said = parsing.key(text)
        number = parsing.list_number(text)
        if said in EVERYONE or number == len(children) + 1:
            return list(children)
        if number is not None and 1 <= number <= len(children):
            return [children[number - 1]]
        if said in UNSURE or parsing.means(conv.agenda, text, "nothing_more", slips=False):
            return []
        found, rest = parsing.spans(said, [child.name for child in children])
        if not found or set(rest.split()) - NAME_FILLER:
            return None  # "Leo started nursery and loves it" is an answer, not a choice
        return [child for child in children if parsing.key(child.name) in found]

    def back(self, conv, step: Step) -> bool:
        if conv.phase in (Phase.CHILDREN, Phase.MORE):
            conv.go(step, Phase.ASK, revising=True)
            return True
        return False

    def skip(self, conv, step: Step) -> list[Reply] | None:
        if conv.phase is Phase.CHILDREN and step.question.repeat:
            conv.go(step, Phase.MORE)
            return []
        return None
