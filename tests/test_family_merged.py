"""A merged item is one item in the family's copy too: in its merged wording, naming everyone
whose words it holds, never the two items in their first words.

The Reid review conference of tests/test_chair_pages.py, where Grace (Dana's mother) has
also sent her answers and agreed to share them; through the real app over HTTP with a real
database, signed in by a single-use link.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from tests import test_chair_pages as pages
from tests.test_chair_pages import BIKE, FOOTBALL, GRANDMA, POLICE, RENT, _people, items

env, settings, client = pages.env, pages.settings, pages.client
chair = pages.chair

TOGETHER = "Dana takes Mia and Noah to football on Saturdays and Grace collects them on Fridays"


@pytest.fixture
def conference(database):
    """The Reid conference, with Grace's answers sent and shared with the family."""
    conference_id = pages.conference.__wrapped__(database)
    with database.session() as session, session.begin():
        grace = _people(session, conference_id)["P6"]
        grace.response_status, grace.consent_to_share = "submitted", True
    return conference_id


def family_copy(html: str) -> str:
    """The family preview's copy, as text, without the chair's list of what is held back."""
    copy = unescape(html).partition('id="held-back"')[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", copy))


def strengths(html: str) -> list[str]:
    """The family preview's list of strengths, one line an item."""
    copy = unescape(html).partition('id="held-back"')[0]
    found = re.search(r">Strengths</h3>\s*<ul[^>]*>(.*?)</ul>", copy, re.S).group(1)
    lines = [re.sub(r"\s+", " ", li).strip() for li in re.findall(r"<li>(.*?)</li>", found, re.S)]
    return [line for line in lines if BIKE not in line]  # Mia's own house, apart


async def merge(chair, first: str, second: str, words: str | None = None):
    found = items(await chair.summary())
    fields = {"kind": "merge", "item": found[first]["id"], "other": found[second]["id"]}
    await chair.edit(**fields, **({"text": words} if words is not None else {}))


async def test_the_family_sees_a_merged_item_once_in_its_merged_words(chair):
    assert strengths(await chair.page("/family")) == [
        f"{FOOTBALL} — Dana Reid (parent or carer)",
        f"{GRANDMA} — Grace Reid (family or network member)",
    ]
    await merge(chair, FOOTBALL, GRANDMA, TOGETHER)

    board = items(await chair.summary())  # the chair's copy keeps both people's words
    assert board[TOGETHER]["original"] == FOOTBALL
    assert board[TOGETHER]["also"] == [
        {"participant": "P6", "role": "family_member", "text": GRANDMA}
    ]
    assert GRANDMA not in board

    preview = await chair.page("/family")
    assert strengths(preview) == [
        f"{TOGETHER} (merged by the chair) — Dana Reid (parent or carer) and "
        "Grace Reid (family or network member)"
    ]
    copy = family_copy(preview)
    assert copy.count(TOGETHER) == 1 and FOOTBALL not in copy and GRANDMA not in copy
    for fmt in ("markdown", "html"):
        export = unescape((await chair.export("family", fmt)).decode())
        assert export.count(TOGETHER) == 1 and GRANDMA not in export, fmt
    family = await chair.summary("family")
    assert GRANDMA not in json.dumps(family)
    [merged] = [item for item in family["columns"]["strengths"] if item["text"] != BIKE]
    assert merged["text"] == TOGETHER
    assert merged["also"] == [{"participant": "P6", "role": "family_member"}]


async def test_merged_without_new_words_the_family_sees_the_first_items_words(chair):
    await merge(chair, FOOTBALL, GRANDMA)
    assert items(await chair.summary())[FOOTBALL].get("original") is None  # not reworded
    assert strengths(await chair.page("/family")) == [
        f"{FOOTBALL} (merged by the chair) — Dana Reid (parent or carer) and "
        "Grace Reid (family or network member)"
    ]


async def test_the_chairs_board_still_shows_both_peoples_words(chair):
    await merge(chair, FOOTBALL, GRANDMA, TOGETHER)
    board = unescape(await chair.page("/board"))
    assert TOGETHER in board and f"Merged with: “{GRANDMA}”" in board


async def test_a_merge_into_words_the_family_may_not_read_leaves_both_out(chair):
    """Dana's worry folded into Ola's (Ola did not agree to share): neither reaches the
    family, as when it is the other way round."""
    await merge(chair, POLICE, RENT)
    copy = family_copy(await chair.page("/family"))
    assert RENT not in copy and POLICE not in copy
    assert RENT not in json.dumps(await chair.summary("family"))


@pytest.mark.parametrize("kept, folded", [(BIKE, FOOTBALL), (FOOTBALL, BIKE)])
async def test_a_childs_words_are_not_reworded_by_a_merge(chair, kept, folded):
    """Whether her words are the item kept or the one folded into it."""
    found = items(await chair.summary())
    response = await chair.post(
        "/edits",
        {"kind": "merge", "item": found[kept]["id"], "other": found[folded]["id"], "text": "Bikes"},
    )
    assert response.status == 303 and "error=child" in response.headers["Location"]
    assert BIKE in items(await chair.summary()) and "Bikes" not in items(await chair.summary())
