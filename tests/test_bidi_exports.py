"""A right-to-left override typed into an answer cannot reverse what follows it in an export:
who said it, and "(not shared with the family)", read as we wrote them."""

from __future__ import annotations

import io

from docx import Document

from bot.model.answers import save_answer
from bot.model.tables import Participant
from bot.summary.build import build_summary
from bot.summary.export import render
from tests.conftest import EXAMPLES, conference_with

# An override opened and never closed, then the answer's own letters.
ANSWER = "Dad \u202eshouts at night"
LETTERS = "shouts at night"
AFTER = ("(not shared with the family)", "— Kelly Smith (parent or carer)")

OPENERS = {"\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068"}
CLOSERS = {"\u202c", "\u2069"}


def _still_open(text: str) -> int:
    """How many embeddings, overrides and isolates are open at the end of `text`."""
    depth = 0
    for character in text:
        if character in OPENERS:
            depth += 1
        elif character in CLOSERS and depth:
            depth -= 1
    return depth


def _assert_nothing_open_before_the_attribution(text: str) -> None:
    start = text.index("Dad ")
    assert LETTERS in text[start:]
    for words in AFTER:
        end = text.index(words, start)
        assert _still_open(text[start:end]) == 0, (words, text[start:end])


def test_an_unclosed_override_stops_at_the_answer_in_every_export(database):
    conference_id, ids = conference_with(database, (EXAMPLES / "demo-conference.yml").read_text())
    with database.session() as session, session.begin():
        kelly = session.get(Participant, ids["P1"])
        save_answer(
            session, kelly, "worries", "worries", ANSWER, share_with="chair_and_social_worker"
        )
    with database.session() as session:
        summary = build_summary(session, conference_id, "chair")
    names = {"P1": "Kelly Smith"}

    for fmt in ("html", "markdown"):
        _assert_nothing_open_before_the_attribution(render(summary, fmt, names).decode())
    word = Document(io.BytesIO(render(summary, "docx", names)))
    (paragraph,) = [p.text for p in word.paragraphs if "Dad " in p.text]
    _assert_nothing_open_before_the_attribution(paragraph)
    # The machine-readable copy keeps the words exactly as typed.
    assert ANSWER in render(summary, "json", names).decode()
