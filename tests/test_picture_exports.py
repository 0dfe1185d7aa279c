"""A child's drawing in the downloaded copies, through `companion summary` on a real
database: the Word copy holds the image itself with its caption, as the HTML does; the
Markdown says a picture is there and where to see it; the family's copies only when she
chose "everyone" for that house."""

from __future__ import annotations

import json

import pytest
from docx import Document
from sqlalchemy import select

from bot.cli import main
from bot.model.database import Database
from bot.model.pictures import keep_picture, share_pictures
from bot.model.tables import Participant
from bot.pictures import clean_picture
from bot.settings import load_settings
from tests.conftest import EXAMPLES, environment_for
from tests.test_pictures import drawing

GOOD_THINGS = "A picture for the house of good things"
WORRIES = "A picture for the house of worries"
AVA = "Ava Smith (child or young person)"


@pytest.fixture
def conference(tmp_path, monkeypatch, capsys):
    env = environment_for(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["conference", "import", str(EXAMPLES / "demo-conference.yml")]) == 0
    return env, json.loads(capsys.readouterr().out)["conference_id"]


def ava_draws(env: dict, conference_id: str, good_things_for: str) -> bytes:
    """Ava sends a drawing at her house of good things (shown to `good_things_for`) and one at
    her house of worries (kept for the chair), then sends her answers and agrees to share.
    Returns the good things drawing as kept."""
    database = Database(load_settings(env))
    try:
        with database.session() as session, session.begin():
            ava = session.execute(
                select(Participant).where(
                    Participant.conference_id == conference_id, Participant.key == "P2"
                )
            ).scalar_one()
            good = clean_picture(drawing(), 10)
            keep_picture(session, ava, "good_things", "good_things", good)
            keep_picture(
                session, ava, "worries", "house_worries", clean_picture(drawing("JPEG"), 10)
            )
            share_pictures(session, ava, "good_things", good_things_for)
            share_pictures(session, ava, "worries", "chair_and_social_worker")
            ava.response_status, ava.consent_to_share = "submitted", True
            return good.data
    finally:
        database.dispose()


def word_copy(tmp_path, conference_id: str, audience: str):
    path = tmp_path / f"{audience}.docx"
    args = ["summary", conference_id, "--format", "docx", "--audience", audience]
    assert main([*args, "--output", str(path), "--force"]) == 0
    return Document(str(path))


def images_in(document) -> list[bytes]:
    return [
        part.blob
        for part in document.part.package.iter_parts()
        if part.partname.startswith("/word/media/")
    ]


def texts(document) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs]


def test_the_chairs_word_copy_holds_each_drawing_with_its_caption(tmp_path, conference):
    env, conference_id = conference
    kept = ava_draws(env, conference_id, "everyone")
    document = word_copy(tmp_path, conference_id, "chair")
    assert len(document.inline_shapes) == 2
    assert kept in images_in(document)  # the very image kept, not a copy made again
    lines = texts(document)
    assert "The child's pictures" in lines
    assert f"{GOOD_THINGS} — {AVA}" in lines
    assert f"{WORRIES} (not shared with the family) — {AVA}" in lines
    # each caption straight under its image, as in the HTML
    shown = lines.index("The child's pictures")
    assert lines[shown + 1] == "" and lines[shown + 2] == f"{GOOD_THINGS} — {AVA}"
    width = document.inline_shapes[0].width
    assert 7.9 < width.cm < 8.1


def test_the_familys_word_copy_holds_only_the_drawing_she_showed_everyone(tmp_path, conference):
    env, conference_id = conference
    kept = ava_draws(env, conference_id, "everyone")
    document = word_copy(tmp_path, conference_id, "family")
    assert len(document.inline_shapes) == 1 and images_in(document) == [kept]
    lines = texts(document)
    assert f"{GOOD_THINGS} — {AVA}" in lines
    assert not any(WORRIES in line for line in lines)


def test_the_familys_word_copy_has_no_drawing_when_she_did_not_choose_everyone(
    tmp_path, conference
):
    env, conference_id = conference
    ava_draws(env, conference_id, "chair_and_social_worker")
    document = word_copy(tmp_path, conference_id, "family")
    assert len(document.inline_shapes) == 0 and images_in(document) == []
    assert not any("picture" in line for line in texts(document))
    # while the chair's copy has both
    assert len(word_copy(tmp_path, conference_id, "chair").inline_shapes) == 2


def test_the_markdown_says_a_drawing_is_there_and_where_to_see_it(conference, capsys):
    env, conference_id = conference
    ava_draws(env, conference_id, "everyone")
    assert main(["summary", conference_id, "--format", "markdown", "--audience", "family"]) == 0
    family = capsys.readouterr().out
    note = "(a picture: see the HTML or Word copy)"
    assert f"## The child's pictures\n\n- {GOOD_THINGS} — {AVA} {note}\n" in family
    assert WORRIES not in family and "data:" not in family
    assert main(["summary", conference_id, "--format", "markdown"]) == 0
    chair = capsys.readouterr().out
    assert f"- {WORRIES} (not shared with the family) — {AVA} {note}" in chair
    assert "data:" not in chair
