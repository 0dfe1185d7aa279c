"""Before sending: every answer, grouped the way the conference reads them, numbered so
any one can be changed; then on to consent."""

from __future__ import annotations

from sqlalchemy import select

from bot import vocabulary
from bot.agenda.loader import HOUSES
from bot.dialogue import parsing
from bot.dialogue.replies import Reply, button
from bot.dialogue.scores import change_score
from bot.model.answers import current_answers, revise_answer
from bot.model.tables import Answer, Score


def _current_scores(conv) -> list[Score]:
    return list(
        conv.session.execute(
            select(Score)
            .where(Score.participant_id == conv.participant.id, Score.superseded_at.is_(None))
            .order_by(Score.id)
        ).scalars()
    )


def _groups(conv):
    """[(heading, [(kind, record)])] in the order the conference takes them, and a
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
            groups.append((conv.agenda.messages[f"house_{house}"], items))
    else:
        for heading, columns in vocabulary.board_for(conv.conference.type):
            items = [("answer", a) for a in answers if a.column_key in columns]
            groups.append((heading, items))
    scores = [("score", s) for s in _current_scores(conv)]
    groups.append((conv.agenda.messages["score_titles"], scores))
    for_chair = [("answer", a) for a in answers if a.column_key is None]
    groups.append((conv.agenda.messages["chair_titles"], for_chair))

    def about(answer: Answer) -> str:
        if not several or set(answer.children) >= set(names):
            return ""
        return f" (about {', '.join(names[key] for key in answer.children if key in names)})"

    return [(heading, items) for heading, items in groups if items], about


def _line(conv, kind: str, record, about) -> str:
    if kind == "score":
        number = [s.id for s in conv.conference.danger_statements].index(record.danger_statement_id)
        return conv.say(
            conv.agenda.messages["score_line"],
            number=number + 1,
            score=record.score,
            reason=record.reason or "-",
            next_point=record.next_point or "-",
        )
    if record.column_key is None:
        return f"{answer_label(conv.agenda, record.question_key)}: {record.text}"
    return record.text + about(record)


def answer_label(agenda, question_key: str) -> str:
    """What an answer outside the columns was about, e.g. "Seen the report"."""
    if ":" in question_key:
        return agenda.messages["note_label"]
    question = agenda.question(question_key)
    if question and question.label:
        return question.label
    return question_key.split("@")[0].replace("_", " ").capitalize()


def check_prompt(conv, phase: str) -> Reply:
    if phase == "which":
        return Reply(conv.agenda.messages["check_which"])
    if phase == "change":
        kind, record_id = conv.progress.data["change"]
        if kind == "score":
            score = conv.session.get(Score, record_id)
            return Reply(
                conv.say(conv.agenda.messages["changing_score"], score=score.score),
                [button(str(n)) for n in vocabulary.SCORE_RANGE],
            )
        text = conv.session.get(Answer, record_id).text
        return Reply(conv.say(conv.agenda.messages["changing"], text=text))
    groups, about = _groups(conv)
    lines, items = [conv.agenda.messages["check_intro"]], []
    for heading, group in groups:
        rows = []
        for kind, record in group:
            items.append([kind, record.id])
            rows.append(f"{len(items)}. {_line(conv, kind, record, about)}")
        lines.append(heading + "\n" + "\n".join(rows))
    if not items:
        lines = [conv.agenda.messages["check_empty"]]
    conv.progress.data = {"items": items}
    buttons = [button(conv.agenda.messages["check_send"], "send")]
    if items:
        buttons.append(button(conv.agenda.messages["check_change"], "change"))
    return Reply("\n\n".join(lines), buttons)


def check_answer(conv, text: str) -> list[Reply]:
    phase, data = conv.progress.phase, conv.progress.data
    said = parsing.normalise(text)
    items = data.get("items", [])
    if phase == "change":
        return _change(conv, text)
    if phase == "ask" and said in ("send", parsing.normalise(conv.agenda.messages["check_send"])):
        conv.advance()
        return []
    if phase == "ask" and said in (
        "change",
        parsing.normalise(conv.agenda.messages["check_change"]),
    ):
        conv.set_phase("which")
        return []
    if said.isdigit() and 1 <= int(said) <= len(items):
        conv.set_phase("change", change=items[int(said) - 1])
        return []
    if phase == "which" or said.isdigit():
        return [conv.message("check_bad_number", count=len(items))]
    # Something typed here that is neither: keep it for the chair, show the list again.
    return [conv.keep_note(conv.step, text)]


def _change(conv, text: str) -> list[Reply]:
    kind, record_id = conv.progress.data["change"]
    if kind == "score":
        number = parsing.parse_score(text)
        if number is None or number == parsing.OUT_OF_RANGE:
            return [conv.message("score_retry")]
        score = conv.session.get(Score, record_id)
        step = next(s for s in conv.steps if s.danger_statement is score.danger_statement)
        change_score(conv, step, score=number)
    else:
        revise_answer(
            conv.session,
            conv.session.get(Answer, record_id),
            text,
            f"participant:{conv.participant.key}",
        )
    conv.set_phase("ask", change=None)
    return [conv.message("changed")]
