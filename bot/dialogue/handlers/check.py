"""Before sending: every answer, grouped the way the conference reads them, numbered so
any one can be changed; then on to consent.

"ok", "looks good", "send it" send; "change", "no", "wrong" ask which; a number picks an
answer to change. Anything else is kept for the chair as a note, said in one line: the
whole read-back is not sent again.
"""

from __future__ import annotations

from bot import vocabulary
from bot.agenda.loader import HOUSES
from bot.dialogue import parsing
from bot.dialogue.handlers.base import StepHandler
from bot.dialogue.handlers.text import TextStep
from bot.dialogue.replies import Reply, button
from bot.dialogue.state import Phase
from bot.dialogue.steps import Step
from bot.model.answers import current_answers, revise_answer
from bot.model.pictures import FOR_CHAIR, FOR_WHOM, pictures_sent
from bot.model.scores import current_scores
from bot.model.tables import Answer, Score


class CheckStep(StepHandler):
    repeat_question_after_hint = False  # the read-back is long: say it once

    def prompt(self, conv, step: Step) -> Reply:
        if conv.phase is Phase.WHICH:
            return Reply(conv.text("check_which"))
        if conv.phase is Phase.CHANGE:
            kind, record_id = conv.data.change
            if kind == "score":
                score = conv.session.get(Score, record_id)
                return Reply(
                    conv.text("changing_score", score=score.score),
                    [button(str(n)) for n in vocabulary.SCORE_RANGE],
                )
            answer = conv.session.get(Answer, record_id)
            options = self._options(conv, answer)
            children = self._children(conv, answer)
            if children:  # who it is about can be changed too
                names = [c.name for c in conv.conference.children if c.key in answer.children]
                everyone = "both_children" if len(children) == 2 else "all_children"
                return Reply(
                    conv.text("changing_about", text=answer.text, children=" and ".join(names)),
                    [button(c.name) for c in children] + [button(conv.text(everyone), "all")],
                )
            return Reply(
                conv.text("changing", text=answer.text),
                [button(option.title, option.key) for option in options],
            )
        if conv.data.again:
            return Reply("", self._buttons(conv, conv.data.items))
        items, text = read_back(conv)
        conv.update(items=items)
        return Reply(text, self._buttons(conv, items))

    @staticmethod
    def _buttons(conv, items) -> list[dict]:
        buttons = [button(conv.text("check_send"), "send")]
        if items:
            buttons.append(button(conv.text("check_change"), "change"))
        return buttons

    def answer(self, conv, step: Step, text: str) -> list[Reply]:
        if conv.phase is Phase.CHANGE:
            return self._change(conv, text)
        items = conv.data.items
        number = parsing.list_number(text)
        if number is not None and 1 <= number <= len(items):
            conv.go(step, Phase.CHANGE, items=items, change=items[number - 1])
            return []
        if conv.phase is Phase.WHICH:
            return self._which(conv, step, text, items)
        if number is not None:
            bad = conv.message("check_bad_number", count=len(items))
            return self.ask_again(conv, "check_again", bad)
        choice = self._send_or_change(conv, text)
        if choice == "send":
            conv.advance()
            return []
        if choice == "change" and items:
            conv.go(step, Phase.WHICH, items=items)
            return []
        if choice or not conv.substantive(text):
            return self.ask_again(conv, "check_again")
        return self.ask_again(conv, "check_again", conv.keep_note(step, text))

    def _which(self, conv, step: Step, text: str, items) -> list[Reply]:
        """ "Which answer?": a number (above); or send after all; or nothing to change."""
        if self._send_or_change(conv, text) == "send":
            conv.advance()
            return []
        if parsing.means(conv.agenda, text, "nothing_more"):
            conv.go(step)  # changed their mind: the read-back again
            return []
        bad = conv.message("check_bad_number", count=len(items))
        if conv.substantive(text):
            return [conv.keep_note(step, text), bad]
        return [bad]

    @staticmethod
    def _send_or_change(conv, text: str) -> str | None:
        """A button's words or payload; a whole reply that means send ("ok", "looks good")
        or change ("no", "that's wrong"); or change said in a sentence ("hang on, I made a
        mistake") — never send from a sentence, which may hold a correction."""
        agenda = conv.agenda
        for choice in ("send", "change"):
            if parsing.matches(text, [choice, conv.text(f"check_{choice}")], slips=False):
                return choice
        said = [choice for choice in ("send", "change") if parsing.means(agenda, text, choice)]
        if len(said) == 1:
            return said[0]
        change, send = (agenda.replies[group] for group in ("change", "send"))
        if parsing.mentions(text, change) and not parsing.mentions(text, send):
            return "change"
        return None

    @staticmethod
    def _children(conv, answer: Answer) -> list:
        """A parent's children, where an answer could be about some of them."""
        question = conv.agenda.question(answer.question_key)
        about = bool(question and question.about_children and answer.column_key)
        children = conv.children_for()
        return children if about and len(children) > 1 else []

    @staticmethod
    def _options(conv, answer: Answer):
        question = conv.agenda.question(answer.question_key)
        return question.options if answer.choice and question else ()

    def _change(self, conv, text: str) -> list[Reply]:
        kind, record_id = conv.data.change
        if kind == "score":
            number = parsing.parse_score(text)
            if number is None or number == parsing.OUT_OF_RANGE:
                return [conv.message("score_retry")]
            conv.save_score(conv.session.get(Score, record_id).danger_statement, score=number)
        else:
            answer = conv.session.get(Answer, record_id)
            children = self._children(conv, answer)
            chosen = TextStep.chosen_children(conv, text, children) if children else None
            if chosen == [] or parsing.means(conv.agenda, text, "nothing_more", slips=False):
                # "no", "keep it", or at who it is about "not sure", "neither": as it was
                conv.go(conv.step)
                return [conv.message("kept_answer")]
            options = self._options(conv, answer)
            if chosen:  # "Leo", "both": who it is about, the words as they were
                conv.set_children(answer.id, [child.key for child in chosen])
                conv.go(conv.step)
                return [conv.message("changed")]
            if options:  # a choice: changed to another option, as its button would
                option = parsing.match_option(text, options, conv.agenda.replies)
                if option is None:
                    return [conv.message("pick_button")]
                revised = revise_answer(conv.session, answer, option.title, conv.participant.actor)
                revised.choice, revised.flagged = option.key, option.flag
            else:
                conv.revise(answer, text)
        conv.go(conv.step)
        return [conv.message("changed")]

    def back(self, conv, step: Step) -> bool:
        if conv.phase is not Phase.ASK:
            conv.go(step)
            return True
        return False

    def skip(self, conv, step: Step) -> list[Reply] | None:
        changing = conv.phase is Phase.CHANGE
        conv.go(step)  # nothing to skip: the read-back again
        return [conv.message("kept_answer")] if changing else []


def read_back(conv) -> tuple[list, str]:
    """The numbered list of everything given so far, and the [kind, id] behind each number;
    a child's pictures are said under their house, unnumbered (a picture is not changed
    here: she sends another)."""
    groups, about = _groups(conv)
    sent = pictures_sent(conv.session, conv.participant)
    lines, items = [conv.text("check_intro")], []
    for heading, group, house in groups:
        rows = []
        for kind, record in group:
            items.append([kind, record.id])
            rows.append(f"{len(items)}. {_line(conv, kind, record, about)}")
        if house in sent:
            rows.append(conv.text("check_pictures", count=sent[house], label=FOR_WHOM[house]))
        if rows:
            lines.append(heading + "\n" + "\n".join(rows))
    if not items and not sent:
        lines = [conv.text("check_empty")]
    return items, "\n\n".join(lines)


def _groups(conv):
    """[(heading, [(kind, record)], house or None)] in the order the conference takes them, and a
    function naming the children an answer is about (when not all of them)."""
    order = {step.id: index for index, step in enumerate(conv.steps)}
    answers = sorted(
        [a for a in current_answers(conv.session, conv.participant) if not a.late],
        key=lambda a: (order.get(a.question_key.split(":")[0], len(order)), a.id),
    )
    names = {child.key: child.name for child in conv.conference.children}
    several = len(conv.children_for()) > 1
    groups = []
    house_of = {step.id: step.question.house for step in conv.steps if step.question.house}
    if house_of:  # a child's answers are shown in their houses
        for house in HOUSES:
            items = [("answer", a) for a in answers if house_of.get(a.question_key) == house]
            groups.append((conv.text(f"house_{house}"), items, house))
    else:
        for heading, columns in vocabulary.full_board_for(conv.conference.type):
            items = [("answer", a) for a in answers if a.column_key in columns]
            groups.append((heading, items, None))
    scores = [("score", s) for s in current_scores(conv.session, conv.participant)]
    groups.append((conv.text("score_titles"), scores, None))
    for_chair = [("answer", a) for a in answers if a.column_key is None]
    groups.append((conv.text("chair_titles"), for_chair, FOR_CHAIR))

    def about(answer: Answer) -> str:
        if not several or set(answer.children) >= set(names):
            return ""
        return f" (about {', '.join(names[key] for key in answer.children if key in names)})"

    return groups, about


def _line(conv, kind: str, record, about) -> str:
    if kind == "score":
        number = [s.id for s in conv.conference.danger_statements].index(record.danger_statement_id)
        return conv.text(
            "score_line",
            number=number + 1,
            score=record.score,
            reason=record.reason or "-",
            next_point=record.next_point or "-",
        )
    if record.column_key is None:
        return f"{conv.agenda.label(record.question_key)}: {record.text}"
    return record.text + about(record)
