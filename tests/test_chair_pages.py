"""The chair's review pages, tested from what the chair and the family would see.

A review conference for the Reid family (Wednesday 10 March 2027, 1:30pm) with a parent, a
grandmother, a young person, a social worker and two health professionals; the chair signs
in by a single-use link and works through the pages with a real browser's cookie and forms.
"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from html import unescape

import aiohttp
import pytest
from multidict import MultiDict
from sqlalchemy import func, select

from bot.cli import main
from bot.model.answers import save_answer
from bot.model.tables import (
    Answer,
    AuditEvent,
    ChairLink,
    Conference,
    Participant,
    SafeguardingAlert,
    Score,
    utcnow,
)
from bot.review.signin import issue_link
from bot.settings import load_settings
from bot.web.app import create_app
from tests.conftest import conference_with, environment_for

# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

REID_FAMILY = """\
conference:
  type: review
  date: 2027-03-10T13:30
  local_authority: Northfield Borough Council
  out_of_hours: "01632 960 456"
children:
  - {key: A, name: Mia, age: 11}
  - {key: B, name: Noah, age: 6}
danger_statements:
  - key: D1
    danger: >-
      Children's social care and the school are worried that Mia and Noah could be hurt or
      frightened when mum drinks heavily and the house is not looked after.
    safety_goal: >-
      Mum will show everyone that there is always a sober adult caring for Mia and Noah.
    children: [A, B]
    previous_scores: {P1: 5, P3: 3}
participants:
  - {key: P1, name: Dana Reid, role: parent, children: [A, B]}
  - {key: P2, name: Mia Reid, role: young_person, child: A}
  - {key: P3, name: Ola Adeyemi, role: social_worker, agency: Children's Social Care,
     email: ola.adeyemi@example.gov.uk, phone: '07700900002'}
  - {key: P4, name: Ben Hart, role: professional, agency: School nursing}
  - {key: P5, name: Rosa Quinn, role: chair, email: rosa.quinn@example.gov.uk}
  - {key: P6, name: Grace Reid, role: family_member, children: [A, B]}
  - {key: P7, name: Kim Osei, role: professional, agency: Health visiting}
"""

OTHER_FAMILY = REID_FAMILY.replace("Reid", "Okafor").replace("2027-03-10", "2027-03-11")

# What each person said (answers are typed by different people at different times).
RENT = "Rent arrears since the autumn"
FOOTBALL = "I take Mia and Noah to football every Saturday"
LASH_OUT = "Sometimes I can't cope and I shout at them"
POLICE = "Police attended the home twice in January"
DENTIST = "Noah has missed three dental appointments"
GRANDMA = "Grandma Grace collects them from school on Fridays"
BIKE = "My bike and riding it to the park"
ALERT_WORDS = "Mum's friend comes at night and hits the door"
OTHER_SECRET = "The Okafor boiler has been broken since November"

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_LINK = "[click](http://evil.example)"
HOSTILE_FORMULA = '=HYPERLINK("http://x","y")'
HOSTILE_CONTROL = "Bell\x00ring\x07escape\x1b[31mred\u202eturned"  # an unclosed RTL override
HOSTILE_LONG = ("Long note about the week. " * 4000)[:100_000]
CONTROL_CHARS = ("\x00", "\x07", "\x1b", "\u202e")


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def env(tmp_path, database_url):
    """One environment for the app, the database fixture and the command line."""
    return environment_for(
        tmp_path, DATABASE_URL=database_url, COMPANION_PUBLIC_URL="http://localhost"
    )


@pytest.fixture
def settings(env):  # overrides conftest's so the command line can share the same key
    return load_settings(env)


@pytest.fixture
def cli_env(env, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def _people(session, conference_id):
    found = session.execute(
        select(Participant).where(Participant.conference_id == conference_id)
    ).scalars()
    return {p.key: p for p in found}


def _status(person, status, consent=None):
    person.response_status = status
    person.consent_to_share = consent


@pytest.fixture
def conference(database):
    """The Reid conference with answers: Dana (sent, agreed), Mia (sent, agreed), Ola (sent,
    did not agree to share), Ben and Grace (still typing), Kim (not started)."""
    conference_id, _ = conference_with(database, REID_FAMILY)
    with database.session() as session, session.begin():
        people = _people(session, conference_id)
        # Professionals answered first; the board still lists parents first.
        save_answer(session, people["P4"], "worries", "gp", DENTIST)
        save_answer(session, people["P3"], "worries", "sw", POLICE)
        shared = save_answer(session, people["P3"], None, "report_shared", "Yes")
        shared.choice = "yes"
        save_answer(session, people["P6"], "strengths", "strengths", GRANDMA)
        save_answer(session, people["P1"], "strengths", "strengths", FOOTBALL)
        save_answer(session, people["P1"], "worries", "worries", RENT)
        save_answer(session, people["P1"], "worries", "worries", LASH_OUT)
        save_answer(session, people["P2"], "strengths", "good_things", BIKE, share_with="everyone")
        statement = session.get(Conference, conference_id).danger_statements[0]
        session.add(
            Score(
                danger_statement=statement,
                participant=people["P1"],
                score=6,
                reason="I have stopped drinking at home",
                next_point="Go to the group every week",
            )
        )
        session.add(
            SafeguardingAlert(
                conference_id=conference_id,
                participant=people["P2"],
                kind="immediate_danger",
                text=ALERT_WORDS,
            )
        )
        session.add(  # Dana's own answer raised a concern: its words stay with the chair
            SafeguardingAlert(
                conference_id=conference_id,
                participant=people["P1"],
                kind="concern",
                text=LASH_OUT,
            )
        )
        _status(people["P1"], "submitted", True)
        _status(people["P2"], "submitted", True)
        _status(people["P3"], "submitted", False)
        _status(people["P4"], "in_progress")
        _status(people["P6"], "in_progress")
        _status(people["P7"], "not_started")
    return conference_id


@pytest.fixture
def other_conference(database):
    """Another family's conference in the same service, chaired by someone else."""
    conference_id, _ = conference_with(database, OTHER_FAMILY)
    with database.session() as session, session.begin():
        people = _people(session, conference_id)
        save_answer(session, people["P1"], "worries", "worries", OTHER_SECRET)
    return conference_id


@pytest.fixture
async def client(aiohttp_client, settings, database):
    """A browser that keeps no cookies by itself: each test sends the cookie it means to."""
    return await aiohttp_client(create_app(settings), cookie_jar=aiohttp.DummyCookieJar())


def new_link(database, conference_id) -> str:
    with database.session() as session, session.begin():
        return issue_link(session, conference_id, actor="test")


class Chair:
    """A signed-in chair's browser."""

    def __init__(self, client, conference_id, cookie):
        self.client, self.conference_id, self.cookie = client, conference_id, cookie
        self.base = f"/conferences/{conference_id}"

    @property
    def headers(self):
        return {"Cookie": f"companion_chair={self.cookie}"}

    async def get(self, path, conference_id=None):
        base = f"/conferences/{conference_id}" if conference_id else self.base
        return await self.client.get(base + path, headers=self.headers, allow_redirects=False)

    async def page(self, path="") -> str:
        response = await self.get(path)
        assert response.status == 200, (path, response.status, await response.text())
        return await response.text()

    async def csrf(self) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', await self.page("/board")).group(1)

    async def post(self, path, data, csrf=True, conference_id=None):
        data = MultiDict(data)
        if csrf is True:
            data["csrf"] = await self.csrf()
        elif csrf:
            data["csrf"] = csrf
        base = f"/conferences/{conference_id}" if conference_id else self.base
        return await self.client.post(
            base + path, data=data, headers=self.headers, allow_redirects=False
        )

    async def export(self, audience="chair", fmt="json"):
        response = await self.get(f"/export?audience={audience}&format={fmt}")
        assert response.status == 200, (audience, fmt, response.status)
        return await response.read()

    async def summary(self, audience="chair") -> dict:
        return json.loads(await self.export(audience, "json"))

    async def edit(self, **fields):
        response = await self.post("/edits", fields)
        assert response.status == 303, (fields, response.status, await response.text())
        return response


async def sign_in(client, database, conference_id) -> Chair:
    response = await client.post(
        "/sign-in", data={"token": new_link(database, conference_id)}, allow_redirects=False
    )
    assert response.status == 303
    return Chair(client, conference_id, response.cookies["companion_chair"].value)


@pytest.fixture
async def chair(client, database, conference) -> Chair:
    return await sign_in(client, database, conference)


def items(summary: dict) -> dict:
    """The board's items by their words."""
    return {item["text"]: item for found in summary["columns"].values() for item in found}


def column_of(summary: dict, text: str) -> str:
    return next(
        c for c, found in summary["columns"].items() if any(i["text"] == text for i in found)
    )


def audit_events(database, actor=None) -> list[AuditEvent]:
    with database.session() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if actor:
            query = query.where(AuditEvent.actor == actor)
        found = session.execute(query).scalars().all()
        session.expunge_all()
        return found


def chair_actor(database, conference_id) -> str:
    with database.session() as session:
        return _people(session, conference_id)["P5"].actor


GOOD_DECISION = [
    ("plan", "yes"),
    ("categories", "emotional_abuse"),
    ("categories", "neglect"),
    ("dissent", "Dana does not agree with the category of neglect"),
    ("core_group_members", "Dana Reid, Ola Adeyemi, Ben Hart, Mia's school"),
    ("core_group_date-day", "9"),  # the 20th working day after 10 March 2027 (Easter between)
    ("core_group_date-month", "4"),
    ("core_group_date-year", "2027"),
    ("next_review_date-day", "8"),
    ("next_review_date-month", "9"),
    ("next_review_date-year", "2027"),
    ("rationale", "Mia says she is frightened at night and Dana is still drinking."),
]


# The conference (10 March 2027) is still to come and some have not sent their answers:
# approving needs the chair's second, explicit yes.
EARLY = {"confirm": "early"}


def decision_with(**changes) -> list:
    fields = [(k, v) for k, v in GOOD_DECISION if k not in changes]
    for key, value in changes.items():
        if value is None:
            continue
        fields += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
    return fields


# ---------------------------------------------------------------------------------------------
# 1. Signing in
# ---------------------------------------------------------------------------------------------


async def test_the_link_shows_a_sign_in_button_without_using_the_link(client, database, conference):
    """Opening the link (as a mail scanner would) shows a Sign in button;
    the link still works."""
    token = new_link(database, conference)
    page = await client.get(f"/sign-in/{token}", allow_redirects=False)
    html = await page.text()
    assert page.status == 200 and "Sign in" in html and "<button" in html
    assert "companion_chair" not in page.headers.get("Set-Cookie", "")
    again = await client.get(f"/sign-in/{token}", allow_redirects=False)
    assert again.status == 200
    used = await client.post("/sign-in", data={"token": token}, allow_redirects=False)
    assert used.status == 303


async def test_signing_in_sets_a_strict_httponly_expiring_cookie(client, database, conference):
    """Pressing Sign in takes the chair to their conference with a private session cookie."""
    token = new_link(database, conference)
    response = await client.post("/sign-in", data={"token": token}, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == f"/conferences/{conference}"
    raw = response.headers["Set-Cookie"]
    cookie = response.cookies["companion_chair"]
    assert cookie.value and cookie.value != token
    assert cookie["httponly"] and "httponly" in raw.lower()
    assert cookie["samesite"].lower() == "strict"
    assert cookie["max-age"] or cookie["expires"]
    page = await Chair(client, conference, cookie.value).get("")
    assert page.status == 200


@pytest.mark.parametrize("how", ["reused", "unknown", "expired"])
async def test_a_used_unknown_or_expired_link_is_refused(client, database, conference, how):
    """A link that was used, never existed or is too old says it does not work,
    and signs no one in."""
    token = new_link(database, conference)
    if how == "reused":
        first = await client.post("/sign-in", data={"token": token}, allow_redirects=False)
        assert first.status == 303
    elif how == "unknown":
        token = "not-a-link-we-ever-sent-" + token[:10]
    else:
        with database.session() as session, session.begin():
            for link in session.execute(select(ChairLink)).scalars():
                link.expires_at = utcnow() - timedelta(minutes=1)
    response = await client.post("/sign-in", data={"token": token}, allow_redirects=False)
    assert response.status == 403
    assert "companion_chair" not in response.cookies
    assert "Set-Cookie" not in response.headers


def test_the_command_line_prints_a_working_link(database, conference, cli_env, capsys):
    """`companion chair-link` prints an address with /sign-in/ whose token signs the chair in."""
    assert main(["chair-link", conference]) == 0
    printed = capsys.readouterr().out.strip()
    token = re.search(r"/sign-in/(\S+)$", printed).group(1)
    from bot.review.signin import redeem_link

    with database.session() as session, session.begin():
        signed = redeem_link(session, token)
        assert signed is not None and signed.chair.key == "P5"


def test_the_command_line_refuses_without_a_chair_or_conference(database, cli_env, capsys):
    """No link for a conference that does not exist, or has nobody chairing it (exit 2)."""
    chairless = REID_FAMILY.replace(
        "  - {key: P5, name: Rosa Quinn, role: chair, email: rosa.quinn@example.gov.uk}\n", ""
    )
    conference_id, _ = conference_with(database, chairless)
    assert main(["chair-link", conference_id]) == 2
    assert main(["chair-link", "no-such-conference"]) == 2
    assert "/sign-in/" not in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# 2. Who may see what; forms need their CSRF token
# ---------------------------------------------------------------------------------------------

PAGES = [
    "",
    "/board",
    "/board?view=hackney",
    "/child",
    "/for-the-chair",
    "/scaling",
    "/alerts",
    "/decision",
    "/record",
    "/family",
]
EXPORTS = [
    f"/export?audience={a}&format={f}"
    for a in ("chair", "family")
    for f in ("json", "markdown", "html", "docx")
]


async def test_nothing_opens_without_signing_in(client, conference):
    """Every page and export asks a visitor who has not signed in to sign in
    (401), showing nothing."""
    for path in PAGES + EXPORTS:
        response = await client.get(f"/conferences/{conference}{path}", allow_redirects=False)
        body = await response.text(errors="replace")
        assert response.status == 401, path
        assert RENT not in body and ALERT_WORDS not in body, path


async def test_a_chair_cannot_open_another_conference(chair, other_conference):
    """A chair signed in for the Reids who types the Okafors' address sees 'not your conference'."""
    for path in PAGES + EXPORTS:
        response = await chair.get(path, conference_id=other_conference)
        body = await response.text(errors="replace")
        assert response.status == 403, path
        assert OTHER_SECRET not in body and "Okafor" not in body, path


async def test_a_chair_cannot_change_another_conference(chair, database, other_conference):
    """Posting an edit, a decision or an approval to another conference is refused
    and changes nothing."""
    csrf = await chair.csrf()
    for path, data in (
        ("/edits", {"kind": "add", "column": "worries", "text": "Injected by another chair"}),
        ("/decision", dict(GOOD_DECISION)),
        ("/approve", {}),
    ):
        response = await chair.post(path, data, csrf=csrf, conference_id=other_conference)
        assert response.status == 403, path
    with database.session() as session:
        from bot.model.tables import Decision, RecordEdit, RecordVersion

        assert (
            session.execute(
                select(RecordVersion).where(RecordVersion.conference_id == other_conference)
            ).first()
            is None
        )  # not approved

        assert session.get(Decision, other_conference) is None
        assert (
            session.execute(
                select(func.count())
                .select_from(RecordEdit)
                .where(RecordEdit.conference_id == other_conference)
            ).scalar()
            == 0
        )


@pytest.mark.parametrize("csrf", [None, "made-up-token"])
async def test_forms_without_the_right_csrf_change_nothing(chair, csrf):
    """An edit, decision, approval or sign-out posted without the page's token is refused (400)."""
    before = await chair.summary()
    for path, data in (
        (
            "/edits",
            {"kind": "add", "column": "worries", "text": "Forged item", "family_sees": "yes"},
        ),
        ("/edits", {"kind": "reword", "item": items(before)[RENT]["id"], "text": "Forged words"}),
        ("/decision", GOOD_DECISION),
        ("/approve", {}),
        ("/sign-out", {}),
    ):
        response = await chair.post(path, data, csrf=csrf or False)
        assert response.status == 400, path
    after = await chair.summary()
    assert after["columns"] == before["columns"]
    assert after["decision"] is None and after["conference"]["status"] != "approved"
    assert (await chair.get("")).status == 200  # still signed in


async def test_after_signing_out_the_old_cookie_opens_nothing(chair):
    """Once the chair signs out, the same cookie (say, copied elsewhere) no longer
    opens any page."""
    response = await chair.post("/sign-out", {})
    assert response.status == 303
    for path in ["", "/board", "/export?audience=chair&format=json"]:
        assert (await chair.get(path)).status == 401, path


# ---------------------------------------------------------------------------------------------
# 3, 4. Who has answered; the board
# ---------------------------------------------------------------------------------------------


async def test_who_has_answered_parents_first_with_status_words(chair):
    """The first page lists each person who answers, with role and
    Not started / In progress / Sent."""
    html = await chair.page("")
    order = [html.index(name) for name in ("Dana Reid", "Grace Reid", "Mia Reid", "Ola Adeyemi")]
    assert order == sorted(order)
    for words in ("Not started", "In progress", "Sent", "Parent or carer", "Social worker"):
        assert words in html, words
    dana = html[html.index("Dana Reid") : html.index("Grace Reid")]
    kim = html[html.index("Kim Osei") :]
    assert "Sent" in dana and "Not started" in kim
    assert "Rosa Quinn (" not in html and "Conference chair</td>" not in html


async def test_professionals_who_have_not_shared_their_report_are_listed(chair):
    """Ben (school nursing) and Kim (health visiting) have not shared reports; Ola has."""
    html = await chair.page("")
    assert "School nursing" in html and "Health visiting" in html
    assert "Children&#39;s Social Care" not in html and "Children's Social Care" not in html


async def test_the_board_says_who_said_each_thing_parents_first(chair):
    """On the board each item names its author and role, the parent's words
    above the professionals'."""
    html = await chair.page("/board")
    assert html.index(RENT) < html.index("Police attended") < html.index("Noah has missed")
    assert html.index("I take Mia and Noah") < html.index("Grandma Grace")
    assert "Dana Reid (parent or carer)" in html and "Ola Adeyemi (social worker)" in html
    assert ALERT_WORDS not in html


async def test_the_board_marks_what_the_family_may_read(chair):
    """Dana's words are marked readable by the family; Ola's (no consent) and
    Ben's (not sent) are not."""
    summary = await chair.summary()
    found = items(summary)
    assert found[RENT]["family_sees"] is True
    assert found[POLICE]["family_sees"] is False and found[DENTIST]["family_sees"] is False
    html = unescape(await chair.page("/board"))
    rent = html[html.index(RENT) : html.index(LASH_OUT)]
    police = html[html.index(POLICE) : html.index(DENTIST)]
    assert "Family may read" in rent and "Not shared with the family" in police


async def test_the_hackney_view_shows_the_five_headings(chair):
    """?view=hackney shows the board under the Hackney headings, with the same items."""
    html = await chair.page("/board?view=hackney")
    for heading in (
        "Worries",
        "Existing safety",
        "Strengths",
        "Complicating factors",
        "What needs to happen",
    ):
        assert heading in html, heading
    assert RENT in html and POLICE in html and GRANDMA in html


# ---------------------------------------------------------------------------------------------
# 5. The chair's edits
# ---------------------------------------------------------------------------------------------


async def test_rewording_keeps_the_original_words(chair):
    """A reworded item shows the chair's words, with what Dana actually said
    kept and shown on request."""
    rent = items(await chair.summary())[RENT]
    await chair.edit(kind="reword", item=rent["id"], text="Dana owes rent from last autumn")
    item = items(await chair.summary())["Dana owes rent from last autumn"]
    assert item["original"] == RENT and item["participant"] == "P1"
    assert [(c["kind"], c["by"]) for c in item["changes"]] == [("reword", "P5")]
    html = await chair.page("/board")
    assert "Dana owes rent from last autumn" in html and RENT in html


async def test_moving_and_grey_area_change_the_column(chair):
    """Moving an item puts it under another heading; 'grey area' puts it under
    What is not yet clear."""
    found = items(await chair.summary())
    await chair.edit(kind="move", item=found[RENT]["id"], column="complicating_factors")
    await chair.edit(kind="grey_area", item=found[DENTIST]["id"])
    summary = await chair.summary()
    assert column_of(summary, RENT) == "complicating_factors"
    assert column_of(summary, DENTIST) == "grey_areas"
    changes = items(summary)[RENT]["changes"]
    assert changes[0]["kind"] == "move" and changes[0]["by"] == "P5"
    assert items(summary)[DENTIST]["changes"][0]["by"] == "P5"


async def test_merging_keeps_the_other_words_under_also(chair):
    """Merging two worries leaves one item, with the second person's words kept beside it."""
    found = items(await chair.summary())
    await chair.edit(kind="merge", item=found[RENT]["id"], other=found[POLICE]["id"])
    summary = await chair.summary()
    assert POLICE not in items(summary)
    merged = items(summary)[RENT]
    assert merged["also"] == [{"participant": "P3", "role": "social_worker", "text": POLICE}]
    assert merged["changes"][-1]["kind"] == "merge" and merged["changes"][-1]["by"] == "P5"
    assert merged["family_sees"] is False  # half of it is Ola's, who did not agree to share


async def test_the_chairs_own_item_is_the_chairs(chair):
    """The chair adds an item of their own: it is shown as said by the chair."""
    await chair.edit(kind="add", column="next_steps", text="Referral to the family drug service")
    added = items(await chair.summary())["Referral to the family drug service"]
    assert added["role"] == "chair" and added["participant"] == "P5"
    assert column_of(await chair.summary(), added["text"]) == "next_steps"
    assert added["family_sees"] is False


async def test_a_childs_own_words_cannot_be_reworded(chair):
    """Mia's house of good things stays in her words: a reword is refused and nothing changes."""
    bike = items(await chair.summary())[BIKE]
    assert bike.get("child_voice")
    response = await chair.post("/edits", {"kind": "reword", "item": bike["id"], "text": "Cycling"})
    after = items(await chair.summary())
    assert "Cycling" not in after and BIKE in after and "original" not in after[BIKE]
    assert response.status in (303, 400, 422)


async def test_each_edit_is_in_the_audit_log(chair, database, conference):
    """Every change to the board leaves an audit event naming the chair."""
    actor = chair_actor(database, conference)
    found = items(await chair.summary())
    for fields in (
        {"kind": "reword", "item": found[RENT]["id"], "text": "Rent owed"},
        {"kind": "move", "item": found[FOOTBALL]["id"], "column": "safety"},
        {"kind": "add", "column": "worries", "text": "School attendance 82%"},
    ):
        before = len(audit_events(database, actor))
        await chair.edit(**fields)
        after = audit_events(database, actor)[before:]
        assert any(e.record_id == conference and e.action not in ("viewed_board",) for e in after)


async def test_the_family_copy_leaves_out_a_merge_with_private_words(chair):
    """Dana's worry merged with Ola's (not shared) is not in the family's copy at all."""
    found = items(await chair.summary())
    assert RENT in json.dumps(await chair.summary("family"))
    await chair.edit(kind="merge", item=found[RENT]["id"], other=found[POLICE]["id"])
    family = json.dumps(await chair.summary("family"))
    assert RENT not in family and POLICE not in family


async def test_the_chairs_item_reaches_the_family_only_when_ticked(chair):
    """The chair's own items are closed by default; ticking 'the family may read'
    lets one through."""
    await chair.edit(kind="add", column="worries", text="Chair's private note on the police log")
    await chair.edit(
        kind="add", column="next_steps", text="Weekly visits by Ola", family_sees="yes"
    )
    family = json.dumps(await chair.summary("family"))
    assert "Weekly visits by Ola" in family
    assert "private note on the police log" not in family
    for fmt in ("markdown", "html"):
        text = (await chair.export("family", fmt)).decode()
        assert "Weekly visits by Ola" in text and "private note" not in text


async def test_merging_with_the_chairs_private_note_keeps_it_from_the_family(chair):
    """Dana's worry merged with the chair's own unticked note leaves the family's copy too."""
    await chair.edit(kind="add", column="worries", text="Chair's note: neighbours phoned police")
    found = items(await chair.summary())
    note = found["Chair's note: neighbours phoned police"]["id"]
    await chair.edit(kind="merge", item=found[RENT]["id"], other=note)
    family = json.dumps(await chair.summary("family"))
    assert "neighbours phoned police" not in family and RENT not in family


async def test_an_item_of_another_conference_cannot_be_edited(chair, database, other_conference):
    """The chair cannot reword or merge in an item from another family's board by its id."""
    with database.session() as session:
        okafor = _people(session, other_conference)["P1"]
        answer_id = session.execute(
            select(Answer.id).where(Answer.participant_id == okafor.id)
        ).scalar_one()
    other_id = f"a{answer_id}"
    rent = items(await chair.summary())[RENT]["id"]
    await chair.post("/edits", {"kind": "reword", "item": other_id, "text": "Hijacked words"})
    await chair.post("/edits", {"kind": "merge", "item": rent, "other": other_id})
    summary = json.dumps(await chair.summary())
    assert "Hijacked words" not in summary and OTHER_SECRET not in summary
    assert items(await chair.summary())[RENT].get("also") is None


# ---------------------------------------------------------------------------------------------
# 6. The decision
# ---------------------------------------------------------------------------------------------


async def test_a_good_decision_is_saved(chair):
    """The chair records the plan, categories, core group and reasons; the record shows them."""
    response = await chair.post("/decision", GOOD_DECISION)
    assert response.status == 303
    decision = (await chair.summary())["decision"]
    assert decision["plan"] == "yes"
    assert sorted(decision["categories"]) == ["emotional_abuse", "neglect"]
    assert decision["core_group_date"] == "2027-04-09"
    assert decision["next_review_date"] == "2027-09-08"
    assert decision["rationale"].startswith("Mia says she is frightened")
    assert decision["dissent"] == "Dana does not agree with the category of neglect"
    assert decision["core_group_members"].startswith("Dana Reid")


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"plan": ""}, id="no-plan"),
        pytest.param({"categories": []}, id="plan-without-category"),
        pytest.param(  # 21 working days after (Good Friday and Easter Monday are holidays)
            {"core_group_date-day": "12"}, id="core-group-too-late"
        ),
        pytest.param({"core_group_date-day": "31", "core_group_date-month": "2"}, id="31-february"),
        pytest.param(
            {"next_review_date-day": "31", "next_review_date-month": "2"}, id="review-31-february"
        ),
        pytest.param({"rationale": "   "}, id="no-rationale"),
    ],
)
async def test_a_bad_decision_is_shown_again_and_not_saved(chair, bad):
    """A mistake in the decision form shows the form again with a message; nothing is saved."""
    response = await chair.post("/decision", decision_with(**bad))
    html = await response.text()
    assert response.status != 303 and response.status < 500
    assert 'name="rationale"' in html and "govuk-error-message" in html
    assert (await chair.summary())["decision"] is None


async def test_the_core_group_on_its_last_allowed_day_is_accepted(chair):
    """9 April 2027 is the 20th working day after 10 March (Easter skipped), so it is allowed."""
    response = await chair.post("/decision", decision_with(**{"core_group_date-day": "9"}))
    assert response.status == 303


# ---------------------------------------------------------------------------------------------
# 7. Approving and versions
# ---------------------------------------------------------------------------------------------


async def test_approving_makes_version_one(chair):
    """After Approve, the record says approved, version 1."""
    assert (await chair.post("/decision", GOOD_DECISION)).status == 303
    assert (await chair.post("/approve", EARLY)).status == 303
    summary = await chair.summary()
    assert summary["conference"]["status"] == "approved"
    assert summary["record"]["version"] == 1


async def test_a_record_without_its_decision_is_not_approved(chair):
    """Approve before the decision is recorded: refused, and the page says what to do."""
    response = await chair.post("/approve", {})
    assert response.status == 303
    assert (await chair.summary())["record"]["approved"] == []
    page = await chair.page("/" + response.headers["Location"].split("/", 3)[3])
    assert "Record the decision before you approve the record." in page


async def test_approving_again_without_changes_stays_version_one(chair):
    """Pressing Approve twice with nothing changed keeps the record at version 1."""
    await chair.post("/decision", GOOD_DECISION)
    await chair.post("/approve", EARLY)
    await chair.post("/approve", EARLY)
    summary = await chair.summary()
    assert summary["record"]["version"] == 1 and summary["conference"]["status"] == "approved"
    assert (await chair.get("/version?number=2")).status == 404


@pytest.mark.parametrize("change", ["edit", "decision"])
async def test_a_change_after_approval_starts_version_two(chair, change):
    """Changing anything after approval makes a draft of version 2; version 1 reads as it did."""
    await chair.post("/decision", GOOD_DECISION)
    await chair.post("/approve", EARLY)
    version_one = await chair.page("/version?number=1")
    assert RENT in version_one
    if change == "edit":
        await chair.edit(kind="add", column="safety", text="Aunt Jo can stay over at short notice")
    else:
        changed = decision_with(rationale="Mia is safer since Aunt Jo moved in.")
        assert (await chair.post("/decision", changed)).status == 303
    summary = await chair.summary()
    assert summary["conference"]["status"] == "draft" and summary["record"]["version"] == 2
    again = await chair.page("/version?number=1")
    assert "Aunt Jo" not in again

    def content(html):  # the page's script nonce is new on every request
        return re.sub(r'nonce="[^"]*"', "", html)

    assert content(again) == content(version_one)


async def test_the_record_page_says_when_the_record_is_due(chair):
    """The record is due 15 working days after 10 March 2027: Friday 2 April (Easter skipped)."""
    html = await chair.page("/record")
    assert "2 April 2027" in html


# ---------------------------------------------------------------------------------------------
# 8. Exports
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["chair", "family"])
@pytest.mark.parametrize("fmt", ["json", "markdown", "html", "docx"])
async def test_every_export_downloads(chair, audience, fmt):
    """Each format downloads for the chair and for the family, as a named attachment."""
    response = await chair.get(f"/export?audience={audience}&format={fmt}")
    assert response.status == 200
    assert "attachment" in response.headers.get("Content-Disposition", "")
    assert len(await response.read()) > 100


@pytest.mark.parametrize("audience", ["chair", "family"])
@pytest.mark.parametrize("fmt", ["json", "markdown"])
async def test_the_page_export_equals_the_command_lines(chair, cli_env, tmp_path, audience, fmt):
    """What the chair downloads is what `companion summary` writes."""
    page = await chair.export(audience, fmt)
    output = tmp_path / f"cli.{fmt}"
    code = main(
        [
            "summary",
            chair.conference_id,
            "--format",
            fmt,
            "--audience",
            audience,
            "--output",
            str(output),
        ]
    )
    assert code == 0
    cli = output.read_bytes()
    if fmt == "json":
        assert json.loads(page) == json.loads(cli)
    else:
        assert page.decode() == cli.decode()


async def test_the_word_export_opens_and_has_the_answers(chair):
    """The .docx opens in Word (python-docx) and has what people said."""
    from docx import Document

    text = docx_text(await chair.export("chair", "docx"))
    for words in (RENT, FOOTBALL, POLICE, BIKE):
        assert words in text, words
    family = docx_text(await chair.export("family", "docx"))
    assert RENT in family and POLICE not in family
    assert Document  # imported above: python-docx is available


def docx_text(body: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("fmt", ["json", "markdown", "html", "docx"])
async def test_the_family_export_keeps_alerts_and_unshared_words_out(chair, fmt):
    """The family's copy has Dana's and Mia's shared words, never an alert or
    anyone unsent or unshared."""
    body = await chair.export("family", fmt)
    text = docx_text(body) if fmt == "docx" else body.decode()
    text = text.replace("\\u2019", "'").replace("&#39;", "'").replace("&#x27;", "'")
    assert RENT in text and BIKE in text
    for private in (ALERT_WORDS, LASH_OUT, POLICE, DENTIST, GRANDMA):
        assert private not in text, private
    chair_copy = (await chair.export("chair", "json")).decode()
    assert ALERT_WORDS in chair_copy and POLICE in chair_copy


async def test_the_family_preview_page_keeps_private_words_out(chair):
    """The page showing what the family will receive has no alert and nothing unshared in
    the family's copy; Dana's words that raised a concern are only in the chair's list of
    what is held back, below it."""
    html = (await chair.page("/family")).replace("&#39;", "'")
    copy, held = html.split('id="held-back"')
    assert RENT in copy
    for private in (ALERT_WORDS, LASH_OUT, POLICE, DENTIST, GRANDMA):
        assert private not in copy, private
    assert LASH_OUT in held and ALERT_WORDS not in held and POLICE not in held


# ---------------------------------------------------------------------------------------------
# 9. Untrusted words stay inert
# ---------------------------------------------------------------------------------------------


def _type_hostile(database, conference_id, with_control=True):
    with database.session() as session, session.begin():
        dana = _people(session, conference_id)["P1"]
        save_answer(session, dana, "worries", "worries", HOSTILE_SCRIPT)
        save_answer(session, dana, "strengths", "strengths", HOSTILE_LINK)
        save_answer(session, dana, "next_steps", "next_steps", HOSTILE_FORMULA)
        if with_control:
            save_answer(session, dana, "safety", "safety", HOSTILE_CONTROL)
        save_answer(session, dana, "complicating_factors", "complicating_factors", HOSTILE_LONG)


@pytest.fixture
async def hostile(database, conference, chair):
    """Dana (sent, agreed) typed things that could be mistaken for code, links or formulas,
    control characters and a 100,000-character answer."""
    _type_hostile(database, conference)
    return chair


@pytest.fixture
async def hostile_printable(database, conference, chair):
    """The same, without the control characters (to test each hazard on its own)."""
    _type_hostile(database, conference, with_control=False)
    return chair


def assert_no_live_markup(html: str) -> None:
    assert HOSTILE_SCRIPT not in html and "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="http://evil.example"' not in html and "href='http://evil.example'" not in html
    assert 'href="http://x"' not in html


def assert_no_control_characters(text: str) -> None:
    for char in CONTROL_CHARS:
        assert char not in text, f"{char!r} passed through raw"


BOARD_PAGES = ["/board", "/board?view=hackney", "/family"]


@pytest.mark.parametrize("path", BOARD_PAGES)
async def test_pages_show_a_typed_script_or_link_as_plain_words(hostile, path):
    """On the pages, a typed script tag or Markdown link is shown as text, never run or followed."""
    html = await hostile.page(path)
    assert_no_live_markup(html)
    assert HOSTILE_LONG[:500] in html  # the long answer is shown, not an error


@pytest.mark.parametrize("path", BOARD_PAGES)
async def test_pages_drop_control_characters(hostile, path):
    """NUL, BEL and ESC typed in an answer do not reach the page's HTML (they are not text)."""
    assert_no_control_characters(await hostile.page(path))


async def test_the_item_page_shows_hostile_words_as_text(hostile):
    """Opening a hostile item to change it shows the words escaped too."""
    found = items(await hostile.summary())
    html = await hostile.page(f"/item?item={found[HOSTILE_SCRIPT]['id']}")
    assert "<script>alert" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("audience", ["chair", "family"])
async def test_the_html_export_shows_a_typed_script_or_link_as_plain_words(hostile, audience):
    """The HTML export escapes a script tag and makes no link of a typed Markdown link."""
    assert_no_live_markup((await hostile.export(audience, "html")).decode())


@pytest.mark.parametrize("audience", ["chair", "family"])
async def test_the_html_export_drops_control_characters(hostile, audience):
    """The HTML export has no NUL, BEL or ESC from an answer."""
    assert_no_control_characters((await hostile.export(audience, "html")).decode())


@pytest.mark.parametrize("audience", ["chair", "family"])
async def test_the_markdown_export_escapes_a_script_tag(hostile_printable, audience):
    """In Markdown (which renderers turn into HTML) a typed script tag is escaped, words kept."""
    md = (await hostile_printable.export(audience, "markdown")).decode()
    assert "alert(1)" in md
    assert HOSTILE_SCRIPT not in md and "<script>" not in md


@pytest.mark.parametrize("audience", ["chair", "family"])
async def test_the_markdown_export_makes_no_link_of_a_typed_link(hostile_printable, audience):
    """In Markdown a typed [click](http://evil.example) is escaped, so it is not a live link."""
    md = (await hostile_printable.export(audience, "markdown")).decode()
    assert "evil.example" in md
    assert HOSTILE_LINK not in md


@pytest.mark.parametrize("audience", ["chair", "family"])
async def test_the_markdown_export_drops_control_characters(hostile, audience):
    """The Markdown export has no NUL, BEL or ESC (an ESC would recolour a terminal)."""
    assert_no_control_characters((await hostile.export(audience, "markdown")).decode())


def docx_parts(body: bytes) -> tuple[str, str]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        xml = "".join(
            archive.read(n).decode("utf-8", "replace") for n in names if n.endswith(".xml")
        )
        rels = "".join(
            archive.read(n).decode("utf-8", "replace") for n in names if n.endswith(".rels")
        )
    return xml, rels


@pytest.mark.parametrize("audience", ["chair", "family"])
async def test_the_word_export_keeps_formulas_and_links_as_text(hostile_printable, audience):
    """Word opens the file; the formula and the typed link are plain words
    (no field, no hyperlink)."""
    body = await hostile_printable.export(audience, "docx")
    text = docx_text(body)
    assert HOSTILE_SCRIPT in text and HOSTILE_FORMULA in text and "evil.example" in text
    assert HOSTILE_LONG[:1000] in text
    xml, rels = docx_parts(body)
    assert "instrText" not in xml and "fldSimple" not in xml  # no field codes: nothing runs
    assert "<w:hyperlink" not in xml
    assert "evil.example" not in rels and "http://x" not in rels


@pytest.mark.parametrize("audience", ["chair", "family"])
async def test_the_word_export_is_made_despite_control_characters(hostile, audience):
    """An answer with NUL, BEL and ESC in it still gives a Word file that opens, without them."""
    response = await hostile.get(f"/export?audience={audience}&format=docx")
    assert response.status == 200
    text = docx_text(await response.read())
    assert "Bell" in text and "red" in text
    assert_no_control_characters(text)


async def test_the_json_export_keeps_the_words_exactly(hostile_printable):
    """The JSON export is data: it keeps what was typed, escaped only as JSON needs."""
    found = items(await hostile_printable.summary())
    assert HOSTILE_SCRIPT in found and HOSTILE_LINK in found and HOSTILE_FORMULA in found
    assert len(found[HOSTILE_LONG]["text"]) == 100_000


# ---------------------------------------------------------------------------------------------
# 10. The audit log
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", PAGES + ["/version?number=1", "/export?audience=family&format=docx"]
)
async def test_every_page_view_and_export_is_audited(chair, database, conference, path):
    """Each page the chair opens and each export they download leaves an audit event naming them."""
    if path.startswith("/version"):
        await chair.post("/decision", GOOD_DECISION)
        await chair.post("/approve", EARLY)
    actor = chair_actor(database, conference)
    before = len(audit_events(database, actor))
    response = await chair.get(path)
    assert response.status == 200
    new = audit_events(database, actor)[before:]
    assert new and all(e.record_id == conference for e in new)


async def test_approving_is_audited(chair, database, conference):
    """Approving the record leaves an audit event naming the chair and the version."""
    actor = chair_actor(database, conference)
    assert (await chair.post("/decision", GOOD_DECISION)).status == 303
    csrf = await chair.csrf()
    before = len(audit_events(database, actor))
    assert (await chair.post("/approve", EARLY, csrf=csrf)).status == 303
    new = audit_events(database, actor)[before:]
    assert any(json.dumps(e.detail).find("1") >= 0 for e in new)
    assert all(e.actor == actor for e in new) and new


async def test_exports_are_audited_with_what_was_exported(chair, database, conference):
    """The audit log says which audience and format the chair exported."""
    actor = chair_actor(database, conference)
    before = len(audit_events(database, actor))
    await chair.export("family", "markdown")
    details = json.dumps([e.detail for e in audit_events(database, actor)[before:]])
    assert "family" in details and "markdown" in details


async def test_refused_attempts_are_not_credited_to_the_chair_as_changes(
    chair, database, conference
):
    """A forged form leaves no 'edited' event for the chair."""
    actor = chair_actor(database, conference)
    before = len(audit_events(database, actor))
    await chair.post("/edits", {"kind": "add", "column": "worries", "text": "Forged"}, csrf=False)
    new = audit_events(database, actor)[before:]
    assert not any("edit" in e.action for e in new)
