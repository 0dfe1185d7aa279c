"""Someone taken off a conference by the coordinator after answering: what they said stays,
marked as theirs and as from someone taken off, in the summary (JSON, Markdown, HTML, Word;
the chair's copy and the family's), on the chair's pages and on the staff's list; someone
taken off before answering is shown as taken off, not as not started. Both databases; the
pages over HTTP on loopback."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import aiohttp
import pytest
from sqlalchemy import select

from bot.conference_file import parse_conference
from bot.model.answers import save_answer
from bot.model.conferences import update_conference
from bot.model.scores import save_score
from bot.model.tables import Conference, Participant, SafeguardingAlert
from bot.review import signin
from bot.review import staff as staff_members
from bot.review.record import content_hash, too_early
from bot.summary.build import build_summary
from bot.summary.export import render
from bot.web.app import create_app
from tests.conftest import conference_with

FAMILY = """\
conference:
  type: initial
  date: 2027-03-10T13:30
  local_authority: Northfield Borough Council
children:
  - {key: A, name: Mia, age: 11}
danger_statements:
  - key: D1
    danger: Mia could be hurt when mum drinks heavily.
    safety_goal: There is always a sober adult caring for Mia.
    children: [A]
participants:
  - {key: P1, name: Dana Reid, role: parent, children: [A]}
  - {key: P2, name: Ben Hart, role: professional, agency: School nursing}
  - {key: P3, name: Kim Osei, role: professional, agency: Health visiting}
  - {key: P4, name: Ola Adeyemi, role: social_worker, agency: Children's Social Care}
  - {key: P5, name: Rosa Quinn, role: chair, email: rosa.quinn@example.gov.uk}
"""
BEN_SAID = "Mia has missed three school nurse appointments"
WORRY = "Mia told me she is scared to go home"
DANA_SAID = "I take Mia to football every Saturday"
TAKEN_OFF = datetime(2026, 12, 3, 10, 0)  # UTC; 3 December in the UK too
KEPT = "Taken off this conference on 3 December; what they said before is kept"
NEVER = "Taken off this conference on 3 December before they answered"


def without(text: str, *keys: str) -> str:
    """The conference file with these participants' lines taken out."""
    lines = text.splitlines(keepends=True)
    return "".join(line for line in lines if not any(f"{{key: {k}," in line for k in keys))


@pytest.fixture
def conference(database):
    """Dana sent her answers and agreed to share; Ben answered, then he and Kim (who never
    answered) were taken off the conference on its form's path (update_conference)."""
    conference_id, ids = conference_with(database, FAMILY)
    with database.session() as session, session.begin():
        dana, ben = session.get(Participant, ids["P1"]), session.get(Participant, ids["P2"])
        save_answer(session, dana, "strengths", "pw_working_well", DANA_SAID)
        dana.response_status, dana.consent_to_share = "submitted", True
        save_answer(session, ben, "worries", "pr_worries", BEN_SAID)
        statement = session.get(Conference, conference_id).danger_statements[0]
        save_score(session, ben, statement, ben.actor, score=4, reason="Missed appointments")
        session.add(
            SafeguardingAlert(
                conference_id=conference_id, participant=ben, kind="concern", text=WORRY
            )
        )
        ben.response_status = "in_progress"
    with database.session() as session, session.begin():
        found = session.get(Conference, conference_id)
        change = update_conference(
            session, found, parse_conference(without(FAMILY, "P2", "P3")), "staff:test"
        )
        assert [p.key for p in change.removed_after_answering] == ["P2"]
        for participant in found.participants:
            if participant.removed_at is not None:
                participant.removed_at = TAKEN_OFF  # a day the words can be checked against
    return conference_id


def test_the_summary_json_adds_removed_at_to_each_response_and_changes_nothing_else(
    database, conference
):
    with database.session() as session:
        chair = build_summary(session, conference)
        family = build_summary(session, conference, "family")
    responses = {r["participant"]: r for r in chair["responses"]}
    assert list(responses) == ["P1", "P4", "P2", "P3"]  # parents first, as ever
    assert responses["P2"] == {
        "participant": "P2",
        "role": "professional",
        "status": "in_progress",
        "consent_to_share": None,
        "removed_at": "2026-12-03T10:00:00",
    }
    assert responses["P3"]["removed_at"] == "2026-12-03T10:00:00"
    assert responses["P3"]["status"] == "not_started"
    assert responses["P1"]["removed_at"] is None and responses["P4"]["removed_at"] is None
    # What Ben said stays on the board, under his key as before.
    assert [(i["text"], i["participant"]) for i in chair["columns"]["worries"]] == [
        (BEN_SAID, "P2")
    ]
    # The family's copy says who was taken off too, and still not how far anyone got.
    assert family["responses"] == [
        {"participant": "P1", "role": "parent", "removed_at": None},
        {"participant": "P4", "role": "social_worker", "removed_at": None},
        {"participant": "P2", "role": "professional", "removed_at": "2026-12-03T10:00:00"},
        {"participant": "P3", "role": "professional", "removed_at": "2026-12-03T10:00:00"},
    ]


def test_the_exports_mark_their_words_and_say_who_was_taken_off(database, conference):
    from docx import Document

    with database.session() as session:
        chair = build_summary(session, conference)
        family = build_summary(session, conference, "family")
        names = {p.key: p.name for p in session.get(Conference, conference).participants}
    markdown = render(chair, "markdown", names).decode()
    assert f"- {BEN_SAID} (not shared with the family) — Ben Hart (professional; taken off" in (
        markdown
    )
    assert "## Taken off this conference" in markdown
    assert f"Ben Hart (professional). {KEPT}." in markdown
    assert f"Kim Osei (professional). {NEVER}." in markdown
    assert f'"{WORRY}" — Ben Hart (taken off this conference on 3 December)' in markdown
    assert "Dana Reid (parent or carer)" in markdown and "Dana Reid (parent or carer;" not in (
        markdown
    )
    html = render(chair, "html", names).decode()
    assert "Ben Hart (professional; taken off this conference on 3 December)" in html
    assert f"Kim Osei (professional). {NEVER}." in html
    word = Document(io.BytesIO(render(chair, "docx", names)))
    paragraphs = [p.text for p in word.paragraphs]
    assert f"Ben Hart (professional). {KEPT}." in paragraphs
    assert any(
        "Ben Hart (professional; taken off this conference on 3 December)" in p for p in paragraphs
    )
    # The family's copy names them as taken off without telling how far they had got.
    for_family = render(family, "markdown", names).decode()
    assert "Ben Hart (professional). Taken off this conference on 3 December." in for_family
    assert BEN_SAID not in for_family and "before they answered" not in for_family


def test_the_record_waits_for_nobody_taken_off_and_old_approvals_still_hold(database, conference):
    with database.session() as session:
        found = session.get(Conference, conference)
        summary = build_summary(session, conference)
        early = too_early(session, found, summary, date(2027, 3, 11))
    # Only Ola, still on the conference, is waited for (Ben and Kim cannot finish now).
    assert [person["participant"] for person in early["unfinished"]] == ["P4"]
    # A record approved before the summary said who was taken off hashes the same.
    with database.session() as session:
        found = session.get(Conference, conference)
        for participant in found.participants:
            participant.removed_at = None
        summary = build_summary(session, conference)
        session.rollback()
    before = {
        **summary,
        "responses": [
            {k: v for k, v in r.items() if k != "removed_at"} for r in summary["responses"]
        ],
    }
    assert content_hash(summary) == content_hash(before)
    removed = {
        **summary,
        "responses": [{**r, "removed_at": "2026-12-03T10:00:00"} for r in summary["responses"]],
    }
    assert content_hash(removed) != content_hash(summary)


@pytest.fixture
async def site(aiohttp_server, settings, database, conference):
    server = await aiohttp_server(create_app(settings))
    return f"http://127.0.0.1:{server.port}"


async def signed_in(site: str, path: str, token: str) -> aiohttp.ClientSession:
    """A browser's session signed in by posting a link's token to `path`."""
    client = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with client.post(f"{site}{path}", data={"token": token}) as response:
        assert response.status == 200, await response.text()
    return client


async def read(client: aiohttp.ClientSession, address: str) -> str:
    async with client.get(address) as response:
        assert response.status == 200, (address, response.status)
        return await response.text()


async def test_the_chairs_pages_show_who_was_taken_off(site, database, conference):
    with database.session() as session, session.begin():
        token = signin.issue_link(session, conference, actor="test")
    async with await signed_in(site, "/sign-in", token) as chair:
        base = f"{site}/conferences/{conference}"
        who = await read(chair, base)
        board = await read(chair, f"{base}/board")
        said = await read(chair, f"{base}/for-the-chair")
        scores = await read(chair, f"{base}/scaling")
        alerts = await read(chair, f"{base}/alerts")
        export = json.loads(await read(chair, f"{base}/export?audience=family&format=json"))
    rows = {name: who.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Ben", "Kim", "Ola")}
    assert "In progress" in rows["Ben"] and f"{KEPT}." in rows["Ben"]
    assert "Taken off</strong>" in rows["Kim"] and f"{NEVER}." in rows["Kim"]
    assert "Not started" not in rows["Kim"]
    assert "Not started" in rows["Ola"] and "Taken off" not in rows["Ola"]
    assert "Ben Hart (professional; taken off this conference on 3 December)" in board
    assert BEN_SAID in board
    assert "Ben Hart (professional; taken off this conference on 3 December)" in said
    assert "Kim Osei (professional; taken off this conference on 3 December)" in said
    assert "Ben Hart (professional; taken off this conference on 3 December)" in scores
    assert WORRY in alerts
    assert "Ben Hart (professional; taken off this conference on 3 December)" in alerts
    assert {r["participant"]: r["removed_at"] for r in export["responses"]}["P2"] == (
        "2026-12-03T10:00:00"
    )


async def test_the_staff_list_counts_nobody_taken_off_as_not_answered(site, database, conference):
    with database.session() as session, session.begin():
        priya = staff_members.add_staff(
            session, "Priya Shah", "priya.shah@example.gov.uk", "coordinator", "test"
        )
        token = staff_members.issue_link(session, priya, "test")
        assert session.execute(select(Conference.id)).scalars().all() == [conference]
    async with await signed_in(site, "/staff/sign-in", token) as coordinator:
        listed = await read(coordinator, f"{site}/conferences")
    # Dana sent hers; Ola has not; Ben and Kim, taken off without sending, are not waited for.
    assert "1 of 2" in listed
    assert "2 taken off this conference" in listed


def test_the_chairs_chat_says_who_was_taken_off():
    from bot.dialogue.chair_chat import _where

    removed = "2026-12-03T10:00:00"
    base = {"participant": "P2", "role": "professional"}
    assert _where({**base, "status": "submitted", "removed_at": None}) == "sent"
    assert (
        _where({**base, "status": "in_progress", "removed_at": removed}) == f"in progress. {KEPT}"
    )
    assert _where({**base, "status": "not_started", "removed_at": removed}) == (
        "taken off this conference on 3 December before they answered"
    )
