"""The chair sees what matters first; held back, then released by the chair.

The Reid review conference of tests/test_chair_pages.py, where several people's words raised
a safeguarding alert or a concern: the chair reads the alerts in the order that matters,
marks them as read, and releases to the family an answer held back from them. Through the
real app, signed in by a single-use link, with the forms' CSRF token.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import unescape

import aiohttp
import pytest
from sqlalchemy import select

from bot.cli import main
from bot.model.answers import save_answer
from bot.model.tables import Answer, RecordVersion, SafeguardingAlert
from bot.review.record import content_hash
from bot.settings import load_settings
from bot.web.app import create_app
from tests.conftest import conference_with, environment_for
from tests.test_chair_pages import (
    EARLY,
    GOOD_DECISION,
    OTHER_FAMILY,
    REID_FAMILY,
    _people,
    audit_events,
    chair_actor,
    docx_text,
    sign_in,
)

RENT = "Rent arrears since the autumn"
SHOUT = "Sometimes I can't cope and I shout at them"  # Dana: a concern, kept as an answer
DRINK = "I had a drink last week when the kids were asleep"  # Dana: a concern, older
GRACE_WORRY = "Dana's ex came round and shouted at the door"  # Grace: a concern
MIA_HOUSE = "The man who comes at night scares me"  # Mia's house of worries, kept private
MIA_DREAM = "I wish nobody hit anyone at home"  # Mia's house of dreams, for everyone
MIA_NOW = "He is here now and he is hitting mum"  # Mia: immediate danger, newest
BEN_NOW = "Noah said he was locked out all night"  # Ben: immediate danger, older, no answer
OLA_WORRY = "Mum told me her ex threatened her"  # Ola (did not agree to share): a concern
OTHER_ALERT = "Okafor words that raised a concern"


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def env(tmp_path, database_url):
    return environment_for(
        tmp_path, DATABASE_URL=database_url, COMPANION_PUBLIC_URL="http://localhost"
    )


@pytest.fixture
def settings(env):  # the app and the command line share one key
    return load_settings(env)


@pytest.fixture
def cli_env(env, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
async def client(aiohttp_client, settings, database):
    return await aiohttp_client(create_app(settings), cookie_jar=aiohttp.DummyCookieJar())


def _alert(session, conference_id, person, kind, text, at, answer=None, check_reply=None):
    alert = SafeguardingAlert(
        conference_id=conference_id,
        participant=person,
        kind=kind,
        text=text,
        created_at=at,
        answer=answer,
        check_reply=check_reply,
    )
    session.add(alert)
    return alert


@pytest.fixture
def conference(database):
    """Dana (parent), Grace (family), Mia (young person) sent and agreed to share; Ola
    (social worker) sent and did not; Ben (professional) still typing. The chat kept each
    alerting message as an answer, except Ben's older alert and Dana's first concern (from
    before it did: matched by its words)."""
    conference_id, _ = conference_with(database, REID_FAMILY)
    with database.session() as session, session.begin():
        people = _people(session, conference_id)
        dana, grace, mia, ola, ben = (people[k] for k in ("P1", "P6", "P2", "P3", "P4"))
        # Professionals first: the alerts page still lists the family's concerns first.
        ola_worry = save_answer(session, ola, "worries", "sw", OLA_WORRY)
        save_answer(session, dana, "worries", "worries", RENT)
        save_answer(session, dana, "worries", "worries", DRINK)
        shout = save_answer(session, dana, "worries", "worries", SHOUT)
        grace_worry = save_answer(session, grace, "worries", "worries", GRACE_WORRY)
        house = save_answer(
            session,
            mia,
            "worries",
            "worries_house",
            MIA_HOUSE,
            share_with="chair_and_social_worker",
        )
        dream = save_answer(session, mia, "next_steps", "dreams", MIA_DREAM, share_with="everyone")
        _alert(
            session, conference_id, ola, "concern", OLA_WORRY, datetime(2027, 3, 1, 9), ola_worry
        )
        _alert(session, conference_id, ben, "immediate_danger", BEN_NOW, datetime(2027, 3, 2, 9))
        _alert(session, conference_id, dana, "concern", DRINK, datetime(2027, 3, 3, 9))
        _alert(
            session,
            conference_id,
            grace,
            "concern",
            GRACE_WORRY,
            datetime(2027, 3, 4, 9),
            grace_worry,
        )
        _alert(session, conference_id, dana, "concern", SHOUT, datetime(2027, 3, 5, 9), shout)
        _alert(
            session,
            conference_id,
            mia,
            "immediate_danger",
            MIA_HOUSE,
            datetime(2027, 3, 6, 9),
            house,
            check_reply="unsure",
        )
        _alert(session, conference_id, mia, "concern", MIA_DREAM, datetime(2027, 3, 6, 10), dream)
        _alert(
            session,
            conference_id,
            mia,
            "immediate_danger",
            MIA_NOW,
            datetime(2027, 3, 7, 9),
            check_reply="not_safe_now",
        )
        for person in (dana, grace, mia):
            person.response_status, person.consent_to_share = "submitted", True
        ola.response_status, ola.consent_to_share = "submitted", False
        ben.response_status = "in_progress"
    return conference_id


@pytest.fixture
def other_conference(database):
    """The Okafors' conference, chaired by someone else, with an alert of its own."""
    conference_id, _ = conference_with(database, OTHER_FAMILY)
    with database.session() as session, session.begin():
        okafor = _people(session, conference_id)["P1"]
        kept = save_answer(session, okafor, "worries", "worries", OTHER_ALERT)
        _alert(session, conference_id, okafor, "concern", OTHER_ALERT, datetime(2027, 3, 1), kept)
    return conference_id


@pytest.fixture
async def chair(client, database, conference):
    return await sign_in(client, database, conference)


def alert_ids(database, conference_id) -> dict:
    """Each alert's id by its exact words."""
    with database.session() as session:
        found = session.execute(
            select(SafeguardingAlert).where(SafeguardingAlert.conference_id == conference_id)
        ).scalars()
        return {alert.text: alert.id for alert in found}


def answer_item(database, text) -> str:
    with database.session() as session:
        for answer in session.execute(select(Answer)).scalars():
            if answer.text == text:
                return f"a{answer.id}"
    raise AssertionError(f"no answer {text!r}")


def read_state(database, alert_id):
    with database.session() as session:
        alert = session.get(SafeguardingAlert, alert_id)
        return alert.read_at, alert.read_by


def family_copy_and_held(html: str) -> tuple[str, str]:
    """The family preview: the family's copy, and the chair's list of what is held back."""
    html = unescape(html)
    copy, _, held = html.partition('id="held-back"')
    return copy, held


def card(html: str, words: str) -> str:
    """The summary card on a page of the alert, or the held-back answer, of these words."""
    value = f'</dt><dd class="govuk-summary-list__value">{words}</dd>'
    found = [html.find(f"{label}{value}") for label in ("Their exact words", "Their words")]
    at = max(found)
    assert at >= 0, f"no card for {words!r}"
    start = html.rindex('<div class="govuk-summary-card"', 0, at)
    end = html.find('<div class="govuk-summary-card"', start + 1)
    return html[start : end if end > 0 else len(html)]


# ---------------------------------------------------------------------------------------------
# What matters first
# ---------------------------------------------------------------------------------------------


async def test_immediate_danger_comes_first_newest_first(chair):
    """Mia's alert from today, then Mia's from yesterday, then Ben's, before any concern,
    each marked Immediate danger."""
    html = unescape(await chair.page("/alerts"))
    concerns = html.index(">Concerns</h2>")
    assert html.index(MIA_NOW) < html.index(MIA_HOUSE) < html.index(BEN_NOW) < concerns
    for words in (MIA_NOW, MIA_HOUSE, BEN_NOW):
        assert "Immediate danger" in card(html, words)


async def test_concerns_are_folded_by_person_parents_first_with_the_count(chair):
    """Concerns come one group a person, parents first (Dana, then Grace, Mia, then Ola, who
    answered first), each group a details component saying how many."""
    html = unescape(await chair.page("/alerts"))
    concerns = html[html.index(">Concerns</h2>") :]
    groups = re.findall(r'<details class="govuk-details">.*?</details>', concerns, re.S)
    summaries = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", g.split("</summary>")[0])).strip()
        for g in groups
    ]
    assert summaries == [
        "Dana Reid (parent or carer): 2 concerns, 2 not read yet",
        "Grace Reid (family or network member): 1 concern, 1 not read yet",
        "Mia Reid (child or young person): 1 concern, 1 not read yet",
        "Ola Adeyemi (social worker): 1 concern, 1 not read yet",
    ]
    dana = groups[0]
    assert dana.index(DRINK) < dana.index(SHOUT)  # in the order she said them
    assert MIA_NOW not in concerns and BEN_NOW not in concerns


async def test_each_alert_shows_the_safety_check_in_plain_words(chair):
    """'Are you safe right now?' answered: said not safe, or not sure; no line when not asked."""
    html = unescape(await chair.page("/alerts"))
    assert "Asked if they were safe right now: said not safe" in card(html, MIA_NOW)
    assert "Asked if they were safe right now: said they were not sure" in card(html, MIA_HOUSE)
    assert "Asked if they were safe right now" not in card(html, BEN_NOW)


async def test_what_was_said_next_is_not_the_alerting_answer_itself(chair, database, conference):
    """The words are kept as an answer too; 'what they said after' is the next thing said."""
    with database.session() as session, session.begin():
        dana = _people(session, conference)["P1"]
        kept = session.get(Answer, int(answer_item(database, SHOUT)[1:]))
        kept.created_at = datetime(2027, 3, 5, 9)  # as the alert
        later = save_answer(
            session, dana, "strengths", "strengths", "I go to the group on Tuesdays"
        )
        later.created_at = datetime(2027, 3, 5, 9, 1)
    html = unescape(await chair.page("/alerts"))
    shout = card(html, SHOUT)
    assert "I go to the group on Tuesdays" in shout


async def test_the_first_page_counts_alerts_to_read_and_links_to_them(chair, database, conference):
    """Who has answered says how many alerts need reading, with a link to the alerts."""
    html = unescape(await chair.page(""))
    assert "8 safeguarding alerts need reading" in html
    assert f'href="/conferences/{conference}/alerts"' in html
    ids = alert_ids(database, conference)
    for words in ids:
        response = await chair.post("/alerts/read", {"alert": ids[words]})
        assert response.status == 303
    html = unescape(await chair.page(""))
    assert "need reading" not in html.replace("No safeguarding alerts need reading", "")
    assert "No safeguarding alerts need reading" in html


# ---------------------------------------------------------------------------------------------
# Marking as read
# ---------------------------------------------------------------------------------------------


async def test_marking_an_alert_as_read_shows_who_and_when_and_keeps_it_listed(
    chair, database, conference
):
    ids = alert_ids(database, conference)
    response = await chair.post("/alerts/read", {"alert": ids[MIA_NOW]})
    assert response.status == 303
    assert response.headers["Location"].endswith(f"/alerts#alert-{ids[MIA_NOW]}")
    read_at, read_by = read_state(database, ids[MIA_NOW])
    assert read_at is not None and read_by == "P5"
    html = unescape(await chair.page("/alerts"))
    mia = card(html, MIA_NOW)
    assert "Marked as read by Rosa Quinn" in mia and "Mark as read" not in mia
    assert "Mark as read" in card(html, BEN_NOW)
    assert "7 safeguarding alerts need reading" in unescape(await chair.page(""))
    alerts = {a["text"]: a for a in (await chair.summary())["alerts"]}
    assert alerts[MIA_NOW]["read"] is True and alerts[BEN_NOW]["read"] is False


async def test_marking_as_read_is_audited(chair, database, conference):
    actor = chair_actor(database, conference)
    ids = alert_ids(database, conference)
    before = len(audit_events(database, actor))
    await chair.post("/alerts/read", {"alert": ids[BEN_NOW]})
    new = audit_events(database, actor)[before:]
    assert any(
        e.action == "alert_read"
        and e.record_type == "safeguarding_alert"
        and e.record_id == str(ids[BEN_NOW])
        for e in new
    )
    assert any(
        e.action == "marked_alert_read"
        and e.record_id == conference
        and e.detail == {"alert": ids[BEN_NOW]}
        for e in new
    )


@pytest.mark.parametrize("csrf", [None, "made-up-token"])
async def test_marking_as_read_without_the_forms_token_is_refused(
    chair, database, conference, csrf
):
    ids = alert_ids(database, conference)
    response = await chair.post("/alerts/read", {"alert": ids[MIA_NOW]}, csrf=csrf or False)
    assert response.status == 400
    assert read_state(database, ids[MIA_NOW]) == (None, None)


async def test_another_conferences_alert_cannot_be_marked_read(
    chair, database, conference, other_conference
):
    """Through the other conference's address: 'not your conference' (403); its alert's id
    through this conference's address: nothing changes."""
    [other] = alert_ids(database, other_conference).values()
    csrf = await chair.csrf()
    response = await chair.post(
        "/alerts/read", {"alert": other}, csrf=csrf, conference_id=other_conference
    )
    assert response.status == 403
    response = await chair.post("/alerts/read", {"alert": other}, csrf=csrf)
    assert response.status == 303
    assert read_state(database, other) == (None, None)
    actor = chair_actor(database, conference)
    assert any(
        e.action == "refused" and e.record_id == other_conference
        for e in audit_events(database, actor)
    )


async def test_reading_an_alert_after_approval_keeps_the_version(chair, database, conference):
    """Reading changes the chair's inbox, not the record: version 1 stays approved."""
    assert (await chair.post("/decision", GOOD_DECISION)).status == 303
    assert (await chair.post("/approve", EARLY)).status == 303
    ids = alert_ids(database, conference)
    await chair.post("/alerts/read", {"alert": ids[MIA_NOW]})
    summary = await chair.summary()
    assert summary["conference"]["status"] == "approved" and summary["record"]["version"] == 1


# ---------------------------------------------------------------------------------------------
# The answer an alert came from
# ---------------------------------------------------------------------------------------------


async def test_each_alert_links_to_the_answer_it_came_from(chair, database, conference):
    """Dana's words to their item on the board, Mia's house to her voice page, by the item
    id used there; an alert from before answers were kept has no link."""
    html = unescape(await chair.page("/alerts"))
    shout, house = answer_item(database, SHOUT), answer_item(database, MIA_HOUSE)
    base = f"/conferences/{conference}"
    assert f'href="{base}/board#{shout}"' in card(html, SHOUT)
    assert f'href="{base}/child#{house}"' in card(html, MIA_HOUSE)
    for older in (BEN_NOW, DRINK, MIA_NOW):
        assert "See it on" not in card(html, older), older
    assert f'id="{shout}"' in await chair.page("/board")
    assert f'id="{house}"' in await chair.page("/child")


async def test_the_summary_json_says_which_answer_each_alert_was_kept_as(chair, database):
    alerts = {a["text"]: a for a in (await chair.summary())["alerts"]}
    assert alerts[SHOUT]["answer"] == answer_item(database, SHOUT)
    assert alerts[MIA_HOUSE]["check_reply"] == "unsure"
    assert alerts[MIA_NOW]["check_reply"] == "not_safe_now"
    assert alerts[BEN_NOW]["answer"] is None and alerts[BEN_NOW]["check_reply"] is None
    for alert in alerts.values():  # every field there was, and the new ones
        assert set(alert) >= {"participant", "at", "kind", "text", "participant_says"}
        assert alert["read"] is False


# ---------------------------------------------------------------------------------------------
# Held back, then released by the chair
# ---------------------------------------------------------------------------------------------


async def test_the_family_preview_lists_what_is_held_back_and_why(chair):
    """Below the family's copy: each answer whose words raised an alert or a concern, with
    its reason; none of them in the copy itself."""
    copy, held = family_copy_and_held(await chair.page("/family"))
    assert RENT in copy
    for words in (SHOUT, DRINK, GRACE_WORRY, MIA_HOUSE, MIA_DREAM, OLA_WORRY):
        assert words not in copy, words
        assert words in held, words
    assert "It raised a concern." in card(held, SHOUT)
    assert "It raised a concern." in card(held, DRINK)  # matched by its words
    assert "It raised a safeguarding alert." in card(held, MIA_HOUSE)
    assert BEN_NOW not in held and MIA_NOW not in held  # not kept as answers on the board
    assert (
        held.index(SHOUT) < held.index(GRACE_WORRY) < held.index(MIA_HOUSE) < held.index(OLA_WORRY)
    )  # parents first
    record = unescape(await chair.page("/record"))
    assert "6 answers are held back from the family" in record


async def test_releasing_puts_the_answer_in_the_familys_copy(
    chair, database, conference, cli_env, tmp_path
):
    shout = answer_item(database, SHOUT)
    response = await chair.post("/release", {"item": shout})
    assert response.status == 303
    assert response.headers["Location"].endswith(f"/family#held-{shout}")
    family = await chair.summary("family")
    assert SHOUT in json.dumps(family) and family["alerts"] == []
    for fmt in ("markdown", "html"):
        assert SHOUT in unescape((await chair.export("family", fmt)).decode()), fmt
    output = tmp_path / "family.json"
    assert (
        main(
            [
                "summary",
                conference,
                "--format",
                "json",
                "--audience",
                "family",
                "--output",
                str(output),
            ]
        )
        == 0
    )
    assert SHOUT in output.read_text() and GRACE_WORRY not in output.read_text()
    copy, held = family_copy_and_held(await chair.page("/family"))
    assert SHOUT in copy and "Released" in card(held, SHOUT) and "Rosa Quinn" in card(held, SHOUT)
    with database.session() as session:
        answer = session.get(Answer, int(shout[1:]))
        assert answer.released_at is not None and answer.released_by == "P5"


async def test_releasing_is_audited(chair, database, conference):
    actor = chair_actor(database, conference)
    grace = answer_item(database, GRACE_WORRY)
    before = len(audit_events(database, actor))
    assert (await chair.post("/release", {"item": grace})).status == 303
    new = audit_events(database, actor)[before:]
    assert any(
        e.action == "answer_released" and e.record_type == "answer" and e.record_id == grace[1:]
        for e in new
    )
    assert any(e.action == "released_answer" and e.detail.get("item") == grace for e in new)


async def test_a_childs_released_words_still_need_her_everyone_choice(chair, database):
    """Mia kept her house of worries for the social worker and the chair: released, it
    still stays out; her house of dreams, for everyone, goes in once released."""
    for words in (MIA_HOUSE, MIA_DREAM):
        assert (await chair.post("/release", {"item": answer_item(database, words)})).status == 303
    family = json.dumps(await chair.summary("family"), ensure_ascii=False)
    assert MIA_DREAM in family and MIA_HOUSE not in family
    _, held = family_copy_and_held(await chair.page("/family"))
    assert "Mia Reid did not choose to show it to everyone" in card(held, MIA_HOUSE)


async def test_a_released_answer_whose_author_did_not_agree_to_share_stays_out(chair, database):
    """Ola did not agree to share: releasing her words does not put them in the family's copy."""
    assert (await chair.post("/release", {"item": answer_item(database, OLA_WORRY)})).status == 303
    for fmt in ("json", "markdown", "html"):
        assert OLA_WORRY not in unescape((await chair.export("family", fmt)).decode()), fmt
    _, held = family_copy_and_held(await chair.page("/family"))
    assert "It stays out" in card(held, OLA_WORRY)
    assert "Ola Adeyemi has not sent their answers, or has not agreed to share them" in card(
        held, OLA_WORRY
    )


async def test_release_needs_the_forms_token_and_this_conference(
    chair, database, conference, other_conference
):
    shout = answer_item(database, SHOUT)
    assert (await chair.post("/release", {"item": shout}, csrf=False)).status == 400
    csrf = await chair.csrf()
    other = answer_item(database, OTHER_ALERT)
    response = await chair.post(
        "/release", {"item": other}, csrf=csrf, conference_id=other_conference
    )
    assert response.status == 403
    response = await chair.post("/release", {"item": other}, csrf=csrf)  # not this conference's
    assert response.status == 303 and "error=gone" in response.headers["Location"]
    response = await chair.post("/release", {"item": answer_item(database, RENT)}, csrf=csrf)
    assert "error=gone" in response.headers["Location"]  # nothing held back to release
    with database.session() as session:
        released = session.execute(select(Answer).where(Answer.released_at.is_not(None))).all()
        assert released == []
    assert SHOUT not in json.dumps(await chair.summary("family"))


async def test_releasing_after_approval_makes_the_next_version(chair, database):
    """Like any other edit: version 1 stays as approved, the record is the draft of 2."""
    assert (await chair.post("/decision", GOOD_DECISION)).status == 303
    assert (await chair.post("/approve", EARLY)).status == 303
    version_one = await chair.page("/version?number=1")
    await chair.post("/release", {"item": answer_item(database, SHOUT)})
    summary = await chair.summary()
    assert summary["conference"]["status"] == "draft" and summary["record"]["version"] == 2
    assert re.sub(r'nonce="[^"]*"', "", await chair.page("/version?number=1")) == re.sub(
        r'nonce="[^"]*"', "", version_one
    )


@pytest.mark.parametrize("fmt", ["json", "markdown", "html", "docx"])
async def test_alerts_never_reach_the_familys_copy(chair, database, fmt):
    """Not the alerts, nor words that raised one and were not released, even after the
    chair released one answer."""
    await chair.post("/release", {"item": answer_item(database, SHOUT)})
    body = await chair.export("family", fmt)
    text = unescape(docx_text(body) if fmt == "docx" else body.decode())
    assert SHOUT in text
    for words in (MIA_NOW, BEN_NOW, DRINK, GRACE_WORRY, MIA_HOUSE, MIA_DREAM, OLA_WORRY):
        assert words not in text, words
    assert "Safeguarding alerts" not in text and "check_reply" not in text
    if fmt != "docx":
        assert MIA_NOW in unescape((await chair.export("chair", fmt)).decode())


async def test_a_record_approved_before_alerts_said_more_stays_approved(chair, database):
    """A version approved before alerts carried their answer, safety check and read mark,
    and items why they are held back, is still the approved record: nothing in it changed.
    Releasing an answer to the family still makes the next version."""
    assert (await chair.post("/decision", GOOD_DECISION)).status == 303
    assert (await chair.post("/approve", EARLY)).status == 303
    before = await chair.summary()
    for alert in before["alerts"]:
        for field in ("answer", "check_reply", "read"):
            del alert[field]
    for said in [
        *(i for found in before["columns"].values() for i in found),
        *before["child_voice"],
    ]:
        said.pop("held_back", None)
    with database.session() as session, session.begin():
        [version] = session.execute(select(RecordVersion)).scalars()
        version.content_hash = content_hash(before)  # as it was hashed then
    summary = await chair.summary()
    assert summary["conference"]["status"] == "approved" and summary["record"]["version"] == 1
    await chair.post("/release", {"item": answer_item(database, SHOUT)})
    assert (await chair.summary())["record"]["version"] == 2
