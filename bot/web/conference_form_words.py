"""The coordinator's conference form in its own words: which box each of the conference
file's fields is (bot/web/conference_form.py turns the form into a file's structure), and
each problem the file's checks find said as a sentence beside that box."""

from __future__ import annotations

import re

from bot.conference_file import Problem

SECTION = {"child": "children", "statement": "danger_statements", "participant": "participants"}
ROW_KINDS = tuple(SECTION)
ROW_WORDS = {"child": "child", "statement": "danger statement", "participant": "participant"}

# Each row's boxes: the conference file's field -> (the form's box, its words in a message,
# where {row} is "child 1", "participant 3" ...).
ROW_FIELDS = {
    "child": {
        "": ("name", "{row}"),
        "name": ("name", "{row}'s name"),
        "age": ("age", "{row}'s age"),
    },
    "statement": {
        "": ("danger", "{row}"),
        "danger": ("danger", "the words of {row}"),
        "safety_goal": ("safety_goal", "the safety goal of {row}"),
        "children": ("children", "the children {row} is about"),
        "for_young_people.danger": ("young_danger", "{row} in young people's words"),
        "for_young_people.safety_goal": (
            "young_safety_goal",
            "the safety goal of {row} in young people's words",
        ),
        "previous_scores": ("danger", "the scores of {row} at the last conference"),
    },
    "participant": {
        "": ("name", "{row}"),
        "name": ("name", "{row}'s name"),
        "role": ("role", "{row}'s role"),
        "scores": ("role", "{row}'s role"),
        "agency": ("agency", "{row}'s agency"),
        "child": ("child", "which child {row} is"),
        "children": ("children", "the children {row} speaks about"),
        "email": ("email", "{row}'s email address"),
        "phone": ("phone", "{row}'s mobile number"),
        "channel": ("channel", "how {row} prefers to be reached"),
    },
}
BOXES = {
    kind: tuple(dict.fromkeys(box for box, _ in fields.values()))
    for kind, fields in ROW_FIELDS.items()
}
CONFERENCE_FIELDS = {
    "type": ("type", "the type of conference"),
    "date": ("date", "the date of the conference"),
    "local_authority": ("local_authority", "the local authority"),
    "out_of_hours": ("out_of_hours", "the out-of-hours number"),
}
CHOSEN = {"type", "role", "child", "channel", "chair"}  # chosen, not typed: "Choose ..."


def box_and_message(problem: Problem, where: dict) -> tuple[str, str]:
    path, message = problem.field, problem.message
    if path.startswith("conference."):
        box, what = CONFERENCE_FIELDS.get(path.split(".", 1)[1], ("local_authority", path))
        return box, _sentence(what, box, message)
    entry = re.match(r"^(\w+\[[^\]]*\])\.?(.*)$", path)
    if entry and entry.group(1) in where:
        kind, key, number = where[entry.group(1)]
        if kind == "chair":
            return "chair", f"The chair's {entry.group(2) or 'entry'} {message}"
        box, what = ROW_FIELDS[kind].get(entry.group(2), ("name", "{row}"))
        row = f"{ROW_WORDS[kind]} {number}"
        return f"{kind}-{key}-{box}", _sentence(what.format(row=row), box, message)
    section = path.split("[", 1)[0]
    kind = next((k for k, name in SECTION.items() if name == section), None)
    if kind is not None:  # a sentence of its own, or a section left empty
        said = message if message[:1].isupper() else f"Enter at least one {ROW_WORDS[kind]}"
        return f"{kind}-rows", said
    return "local_authority", f"{path} {message}"


def _sentence(what: str, box: str, message: str) -> str:
    if message.startswith("is missing"):
        verb = "Tick" if box == "children" else "Choose" if box in CHOSEN else "Enter"
        return f"{verb} {what}"
    return f"{what[0].upper()}{what[1:]} {message}"


def in_page_order(errors: dict, rows: dict) -> dict:
    order = ["type", "date", "time", "local_authority", "out_of_hours"]
    for kind in ROW_KINDS:
        order.append(f"{kind}-rows")
        for key in rows[kind]:
            order += [f"{kind}-{key}-{box}" for box in BOXES[kind]]
    order.append("chair")
    place = {name: number for number, name in enumerate(order)}
    return dict(sorted(errors.items(), key=lambda item: place.get(item[0], len(order))))
