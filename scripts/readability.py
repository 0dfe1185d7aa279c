"""How hard is what the chat says? Flesch-Kincaid grade of every participant-facing message.

    .venv/bin/python scripts/readability.py [--over]

Renders every question, prompt and message of the default agenda for each audience (a
young person by age band, parents and carers, professionals) and the crisis scripts of
bot/safeguarding/helplines.yml, with placeholders filled by long real values, and prints
each message's grade, hardest first. The aims: young people 4, parents and carers 6,
crisis scripts 3 (professionals are shown without one). `--over` prints only the messages
above their aim.
"""

from __future__ import annotations

import sys

import textstat

from bot.agenda.loader import fill, load_agenda, words
from bot.safeguarding.script import helplines

AIMS = {"young_person": 4, "family": 6, "professional": None, "crisis": 3}
VALUES = {
    "name": "Kelly-Anne",
    "chair": "Samantha Patel-Robinson",
    "children": "Ava, Leo and Mia",
    "children_or": "Ava, Leo or Mia",
    "count": "3",
    "danger": "Children's social care, the school and the police are worried that Ava and "
    "Leo could be hurt when mum and dad argue and hit each other, like in March.",
    "safety_goal": "Mum and dad will show everyone that Ava and Leo are safe and cared for, "
    "and that arguments never turn into hitting.",
    "date": "Tuesday 15 December 2026 at 10am",
    "deadline": "Thursday 10 December 2026",
    "local_authority": "Royal Borough of Kensington and Chelsea",
    "next_point": "7",
    "next_score": "7",
    "number": "2",
    "previous": "4",
    "reason": "things are calmer at home now",
    "score": "6",
    "text": "we go to the park on Saturdays",
    "statement": "The grown-ups have a worry. Sometimes mum and dad's arguments turn into "
    "hitting, and that is scary.\n\nThey hope for this. Mum and dad sort out arguments "
    "without anyone getting hurt.\n\n",
}
CHILDS_WORDS = {  # the social worker's words for a child (for_young_people)
    "danger": "Sometimes mum and dad's arguments turn into hitting, and that is scary.",
    "safety_goal": "Mum and dad sort out arguments without anyone getting hurt.",
}
READERS = [  # (audience, role, band)
    ("young_person", "young_person", "under_12"),
    ("young_person", "young_person", "12_and_over"),
    ("family", "parent", None),
    ("professional", "social_worker", None),
]


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(text)


def agenda_messages():
    """(audience, where, text) for every question, prompt and message."""
    agenda = load_agenda()
    seen = set()
    for audience, role, band in READERS:
        reader = f"{audience}/{band}" if band else audience
        values = {**VALUES, **CHILDS_WORDS} if audience == "young_person" else VALUES
        for conference_type in ("initial", "review"):
            for question in agenda.questions_for(role, conference_type, band):
                wordings = {"": question.text, **dict(question.prompts)}
                for part, wording in wordings.items():
                    text = fill(words(wording, audience, conference_type, band), **values)
                    where = f"{reader} {question.key}{'.' + part if part else ''}"
                    if text and (reader, text) not in seen:
                        seen.add((reader, text))
                        yield audience, where, text
        for key, wording in agenda.messages.items():
            if key.startswith("young_") and audience != "young_person":
                continue  # a child's wording only
            text = fill(words(wording, audience, "review", band), **values)
            if text and (reader, text) not in seen:
                seen.add((reader, text))
                yield audience, f"{reader} messages.{key}", text


def crisis_messages():
    config = helplines()
    for key, script in config["scripts"].items():
        yield "crisis", f"scripts.{key}", script["text"]
    for audience, text in config["next"].items():
        yield "crisis", f"next.{audience}", text
    yield "crisis", "misunderstood", config["misunderstood"]
    number = {"out_of_hours": config["short_out_of_hours"].format(number="01632 960 123")}
    for key, text in config["short"].items():
        yield "crisis", f"short.{key}", text.format(**number)
    for audience, text in config["after_alert"]["answer"].items():
        yield "crisis", f"after_alert.{audience}", text
    check = config["check"]
    yield "crisis", "check.self_harm", check["self_harm"]
    for part in ("question", "safe_reply", "self_harm_safe_reply"):
        for audience, text in check[part].items():
            yield "crisis", f"check.{part}.{audience}", text


def measured():
    """(grade, aim, where, text) for every message, hardest first."""
    rows = [
        (grade(text), AIMS[audience], where, text)
        for audience, where, text in [*agenda_messages(), *crisis_messages()]
    ]
    return sorted(rows, key=lambda row: row[0] - (row[1] or 12), reverse=True)


if __name__ == "__main__":
    only_over = "--over" in sys.argv
    rows = measured()
    for value, aim, where, text in rows:
        if only_over and (aim is None or value <= aim):
            continue
        flat = " ".join(text.split())
        print(f"{value:5.1f} (aim {aim or '-':>2})  {where}: {flat[:110]}")
    over = sum(aim is not None and value > aim for value, aim, _, _ in rows)
    print(f"\n{len(rows)} messages, {over} above their aim")
