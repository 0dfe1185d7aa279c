"""The coordinator's conference form and changes to a conference until its day.

The form is checked by the conference file's own rules (one set for both): here from
the posted fields to the checked conference, then update_conference on both databases,
then the pages over real HTTP with a signed-in coordinator.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from html import unescape

import aiohttp
import pytest
from multidict import MultiDict
from sqlalchemy import select

from bot.conference_file import ConferenceFileError, parse_conference
from bot.model.answers import save_answer
from bot.model.conferences import ConferenceChangeRefused, update_conference
from bot.model.tables import (
    Answer,
    AuditEvent,
    Conference,
    Invite,
    Participant,
    PreviousScore,
    Progress,
    Score,
    Staff,
)
from bot.review import staff as staff_members
from bot.web.app import create_app
from bot.web.conference_form import blank_form, form_from_conference, read_form
from bot.web.guard import STAFF_COOKIE
from tests.conftest import conference_with

NOW = datetime(2026, 12, 8, 9, 0)
ROSA = "rosa.quinn@example.gov.uk"


def reid_family(date: str = "2027-03-10T13:30") -> str:
    return f"""\
conference:
  type: review
  date: {date}
  local_authority: Northfield Borough Council
children:
  - {{key: A, name: Mia, age: 11}}
  - {{key: B, name: Noah, age: 6}}
danger_statements:
  - key: D1
    danger: Mia and Noah could be hurt when mum drinks heavily.
    safety_goal: There is always a sober adult caring for Mia and Noah.
    children: [A, B]
    previous_scores: {{P1: 5, P3: 3}}
participants:
  - {{key: P1, name: Dana Reid, role: parent, children: [A, B], email: dana@example.org,
     channel: web}}
  - {{key: P2, name: Mia Reid, role: young_person, child: A, channel: telegram}}
  - {{key: P3, name: Ola Adeyemi, role: social_worker, agency: Children's Social Care,
     email: ola.adeyemi@example.gov.uk, phone: '07700900002'}}
  - {{key: P4, name: Ben Hart, role: professional, agency: School nursing}}
  - {{key: P5, name: Rosa Quinn, role: chair, email: {ROSA}}}
"""


def posted(**fields) -> MultiDict:
    """A form as the browser posts it: the rows' keys repeat, a list is ticked boxes."""
    form = MultiDict()
    for name, value in fields.items():
        name = name.replace("__", "-")
        for one in value if isinstance(value, list) else [value]:
            form.add(name, one)
    return form


def two_children_review(**changes) -> MultiDict:
    """A review for Mia (11) and Noah (6): a parent, Mia herself, a social worker, a GP and
    a grandmother, as a coordinator types it."""
    fields = dict(
        type="review",
        date__day="10",
        date__month="3",
        date__year="2027",
        time="1:30pm",
        local_authority="Northfield Borough Council",
        out_of_hours="01632 960 456",
        chair="",
        child__key=["A", "B"],
        child__A__name="Mia",
        child__A__age="11",
        child__B__name="Noah",
        child__B__age="6",
        statement__key=["D1"],
        statement__D1__danger="Mia and Noah could be hurt when mum drinks heavily.",
        statement__D1__safety_goal="There is always a sober adult caring for them.",
        statement__D1__children=["A", "B"],
        statement__D1__young_danger="Sometimes mum drinks and it is not safe.",
        statement__D1__young_safety_goal="A grown-up who has not been drinking is always there.",
        participant__key=["P1", "P2", "P3", "P4", "P5", "P6"],
        participant__P1__name="Dana Reid",
        participant__P1__role="parent",
        participant__P1__email="dana@example.org",
        participant__P1__channel="web",
        participant__P2__name="Mia Reid",
        participant__P2__role="young_person",
        participant__P2__child="A",
        participant__P2__phone="07700 900123",
        participant__P2__channel="telegram",
        participant__P3__name="Ola Adeyemi",
        participant__P3__role="social_worker",
        participant__P3__agency="Children's Social Care",
        participant__P3__email="ola.adeyemi@example.gov.uk",
        participant__P4__name="Dr Amy Lee",
        participant__P4__role="professional",
        participant__P4__agency="GP practice",
        participant__P4__phone="07700900004",
        participant__P5__name="Grace Reid",
        participant__P5__role="family_member",
        participant__P5__children=["A", "B"],
        participant__P5__channel="letter",
        participant__P6__name="",  # a blank row is no one
    )
    fields.update(changes)
    return posted(**fields)


# ---------------------------------------------------------------------------------------------
# The conference file's channel
# ---------------------------------------------------------------------------------------------


def test_a_participant_may_say_how_they_prefer_to_be_reached():
    spec = parse_conference(reid_family())
    assert [p.channel for p in spec.participants] == ["web", "telegram", None, None, None]


def test_a_channel_or_contact_that_is_no_such_thing_is_named_with_its_line():
    text = reid_family().replace("channel: telegram", "channel: pigeon")
    text = text.replace("email: dana@example.org", "email: dana at home")
    text = text.replace("'07700900002'", "'0770'")
    with pytest.raises(ConferenceFileError) as refused:
        parse_conference(text, "reid.yml")
    said = [str(problem) for problem in refused.value.problems]
    assert said == [
        "line 15: participants[P1].email: should be an email address, like name@example.org",
        "line 17: participants[P2].channel: should be one of web, telegram, letter",
        "line 19: participants[P3].phone: should be a mobile number, like 07700 900123",
    ]


# ---------------------------------------------------------------------------------------------
# The form, checked by the same rules
# ---------------------------------------------------------------------------------------------


def test_a_review_for_two_children_and_five_people_becomes_the_conference_file_it_would_be():
    form = read_form(two_children_review(), [], now=NOW)
    assert form.errors == {}
    spec = form.spec
    assert (spec.type, spec.date, spec.out_of_hours) == (
        "review",
        datetime(2027, 3, 10, 13, 30),
        "01632 960 456",
    )
    assert [(c.key, c.name, c.age) for c in spec.children] == [("A", "Mia", 11), ("B", "Noah", 6)]
    (statement,) = spec.danger_statements
    assert statement.children == ["A", "B"] and statement.young_danger.startswith("Sometimes")
    people = {p.key: p for p in spec.participants}
    assert list(people) == ["P1", "P2", "P3", "P4", "P5"]  # the blank row is no one
    assert people["P2"].child == "A" and people["P2"].channel == "telegram"
    assert people["P4"].phone == "07700900004" and people["P4"].scores
    assert people["P5"].children == ["A", "B"] and people["P5"].channel == "letter"


def test_every_problem_is_named_beside_its_box_and_everything_typed_is_kept():
    form = read_form(
        two_children_review(
            time="25:00",
            local_authority="",
            child__B__age="six",
            statement__D1__children=[],
            statement__D1__young_safety_goal="",
            participant__P1__email="dana at home",
            participant__P2__child="",
            participant__P3__role="",
        ),
        [],
        now=NOW,
    )
    assert form.spec is None
    assert form.errors == {
        "time": "Enter a real time, for example 10:00 or 1:30pm",
        "local_authority": "Enter the local authority",
        "child-B-age": "Child 2's age should be a whole number from 0 to 18",
        "statement-D1-young_safety_goal": (
            "Enter the safety goal of danger statement 1 in young people's words"
        ),
        "participant-P1-email": (
            "Participant 1's email address should be an email address, like name@example.org"
        ),
        "participant-P2-child": "Choose which child participant 2 is",
        "participant-P3-role": "Choose participant 3's role",
    }
    assert form.values["child-B-age"] == "six"
    assert form.values["participant-P1-email"] == "dana at home"
    assert form.values["participant-P4-agency"] == "GP practice"


def test_a_date_in_the_past_is_refused_clearly():
    form = read_form(two_children_review(date__year="2026", date__month="1"), [], now=NOW)
    assert form.errors == {
        "date": "The date of the conference must be in the future: 10 January 2026 at 13:30 "
        "has passed"
    }
    form = read_form(two_children_review(date__day="31", date__month="2"), [], now=NOW)
    assert form.errors == {
        "date": "Enter a real date for the date of the conference, for example 27 3 2027"
    }


def test_a_form_with_no_children_or_people_asks_for_at_least_one():
    empty = posted(type="initial", date__day="1", date__month="2", date__year="2027", time="10:00")
    form = read_form(empty, [], now=NOW)
    assert form.errors["local_authority"] == "Enter the local authority"
    assert form.errors["child-rows"] == "Enter at least one child"
    assert form.errors["statement-rows"] == "Enter at least one danger statement"
    assert form.errors["participant-rows"] == "Enter at least one participant"


def test_a_new_form_has_blank_rows_with_keys_of_their_own():
    form = blank_form()
    assert form.rows == {
        "child": ["A", "B"],
        "statement": ["D1"],
        "participant": ["P1", "P2", "P3", "P4", "P5"],
    }


# ---------------------------------------------------------------------------------------------
# Changing a conference until its day (both databases)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def reid(database):
    conference_id, ids = conference_with(database, reid_family())
    return conference_id, ids


def change(database, conference_id, **changes):
    """Post the conference's own form back with `changes`; returns the change or raises."""
    with database.session() as session, session.begin():
        conference = session.get(Conference, conference_id)
        fields = shown_fields(conference)
        fields.update(changes)
        form = read_form(posted(**fields), [], conference, now=NOW)
        assert form.errors == {}, form.errors
        return update_conference(session, conference, form.spec, "staff:test")


def shown_fields(conference: Conference) -> dict:
    """The conference's own form, as fields for `posted`."""
    shown = form_from_conference(conference)
    fields = {f"{kind}__key": keys for kind, keys in shown.rows.items()}
    for name, value in shown.values.items():
        if name == "date":
            fields.update({f"date__{part}": typed for part, typed in value.items()})
        else:
            fields[name.replace("-", "__")] = value if isinstance(value, list) else str(value)
    return fields


def test_the_conference_shown_on_its_form_and_posted_back_is_unchanged(database, reid):
    conference_id, ids = reid
    done = change(database, conference_id)
    assert done.invited == {} and done.removed == []
    with database.session() as session:
        conference = session.get(Conference, conference_id)
        assert [p.key for p in conference.participants] == ["P1", "P2", "P3", "P4", "P5"]
        assert [p.removed_at for p in conference.participants] == [None] * 5
        previous = {
            p.participant.key: p.score for p in conference.danger_statements[0].previous_scores
        }
        assert previous == {"P1": 5, "P3": 3}  # kept, though the form does not show them
        assert conference.participants[4].email == ROSA  # the chair from the file stays


def test_what_the_form_does_not_show_is_kept_as_the_file_said(database):
    text = reid_family().replace("role: professional,", "role: professional, scores: false,")
    text = text.replace("child: A, channel", "child: A, children: [A, B], channel")
    conference_id, _ = conference_with(database, text)
    change(database, conference_id)
    with database.session() as session:
        people = {p.key: p for p in session.get(Conference, conference_id).participants}
        assert people["P4"].scores is False and people["P3"].scores is True
        assert people["P2"].children == ["A", "B"] and people["P2"].child_key == "A"


def test_a_new_participant_gets_an_invite_and_one_removed_after_answering_is_marked(database, reid):
    conference_id, ids = reid
    with database.session() as session, session.begin():
        ola = session.get(Participant, ids["P3"])
        save_answer(session, ola, "worries", "sw", "Police were called twice in January")
        ola.response_status = "in_progress"
    done = change(
        database,
        conference_id,
        participant__key=["P1", "P2", "P3", "P4", "P6"],
        participant__P3__remove="yes",
        participant__P6__name="Grace Reid",
        participant__P6__role="family_member",
        participant__P6__email="grace@example.org",
        participant__P6__channel="web",
    )
    assert list(done.invited) == ["P6"]
    assert [p.key for p in done.removed_after_answering] == ["P3"]
    with database.session() as session:
        people = {p.key: p for p in session.get(Conference, conference_id).participants}
        assert people["P6"].name == "Grace Reid" and people["P6"].channel == "web"
        assert people["P6"].invites[0].code == done.invited["P6"]
        ola = people["P3"]
        assert ola.removed_at is not None
        assert all(invite.revoked_at for invite in ola.invites)
        said = session.execute(select(Answer.text).where(Answer.participant_id == ola.id))
        assert said.scalars().all() == ["Police were called twice in January"]
        removed = session.execute(
            select(AuditEvent).where(AuditEvent.action == "participant_removed")
        ).scalar_one()
        assert removed.detail == {"participant": "P3", "had_answered": True}


def test_a_scored_danger_statement_keeps_its_words_and_nothing_else_changes(database, reid):
    conference_id, ids = reid
    with database.session() as session, session.begin():
        conference = session.get(Conference, conference_id)
        session.add(
            Score(
                danger_statement=conference.danger_statements[0],
                participant=session.get(Participant, ids["P1"]),
                score=6,
            )
        )
    with pytest.raises(ConferenceChangeRefused) as refused:
        change(
            database,
            conference_id,
            statement__D1__danger="Something else entirely.",
            local_authority="Southfield Council",
        )
    assert [str(p) for p in refused.value.problems] == [
        "danger_statements[D1]: cannot be changed or taken off: 1 person has already "
        "scored it as it is. Add a new danger statement instead"
    ]
    with database.session() as session:
        conference = session.get(Conference, conference_id)
        assert conference.local_authority == "Northfield Borough Council"
        assert conference.danger_statements[0].danger.startswith("Mia and Noah")
    # A new danger statement beside it is welcome.
    change(
        database,
        conference_id,
        statement__key=["D1", "D2"],
        statement__D2__danger="Noah could be left alone at night.",
        statement__D2__safety_goal="An adult is always at home with Noah at night.",
        statement__D2__children=["B"],
    )
    with database.session() as session:
        statements = session.get(Conference, conference_id).danger_statements
        assert [s.key for s in statements] == ["D1", "D2"]


def test_a_statement_someone_is_scoring_now_stays_and_one_nobody_scored_may_go(database, reid):
    conference_id, ids = reid
    add_d2 = dict(
        statement__key=["D1", "D2"],
        statement__D2__danger="Noah could be left alone at night.",
        statement__D2__safety_goal="An adult is always at home with Noah at night.",
        statement__D2__children=["B"],
    )
    change(database, conference_id, **add_d2)
    with database.session() as session, session.begin():
        session.add(Progress(participant_id=ids["P1"], step="scale@D2", phase="ask", data={}))
    with pytest.raises(ConferenceChangeRefused, match="someone is at its question in their chat"):
        change(database, conference_id, statement__key=["D1"])
    with database.session() as session, session.begin():
        session.get(Progress, ids["P1"]).step = "worries"
    change(
        database,
        conference_id,
        statement__key=["D2"],
        **{k: v for k, v in add_d2.items() if k.startswith("statement__D2")},
    )  # D1, with last conference's scores but none now, is taken off
    with database.session() as session:
        statements = session.get(Conference, conference_id).danger_statements
        assert [s.key for s in statements] == ["D2"]
        assert session.execute(select(PreviousScore)).scalars().all() == []


def test_the_type_and_a_childs_removal_cannot_contradict_answers_already_given(database, reid):
    conference_id, ids = reid
    with database.session() as session, session.begin():
        mia = session.get(Participant, ids["P2"])
        save_answer(session, mia, "strengths", "good_things", "My bike", children=["A"])
    with pytest.raises(ConferenceChangeRefused) as refused:
        change(
            database,
            conference_id,
            type="initial",
            child__key=["B"],
            participant__P2__child="B",
            participant__P1__children=["B"],
            statement__D1__children=["B"],
        )
    fields = [problem.field for problem in refused.value.problems]
    assert "conference.type" in fields and "children[A]" in fields


def test_a_later_date_moves_every_invite_to_the_new_day(database, reid):
    conference_id, _ = reid
    change(database, conference_id, date__day="17")
    with database.session() as session:
        invites = session.execute(select(Invite)).scalars().all()
        assert {invite.expires_at for invite in invites} == {datetime(2027, 3, 18)}


# ---------------------------------------------------------------------------------------------
# The pages, over HTTP, as a signed-in coordinator
# ---------------------------------------------------------------------------------------------


@pytest.fixture
async def client(aiohttp_client, settings, database):
    return await aiohttp_client(create_app(settings), cookie_jar=aiohttp.DummyCookieJar())


class Coordinator:
    def __init__(self, client, cookie):
        self.client, self.headers = client, {"Cookie": f"{STAFF_COOKIE}={cookie}"}

    async def page(self, path: str, status: int = 200) -> str:
        response = await self.client.get(path, headers=self.headers, allow_redirects=False)
        assert response.status == status, (path, response.status, await response.text())
        return unescape(await response.text())

    async def post(self, path: str, data, once: str | None = None) -> aiohttp.ClientResponse:
        """Post as the page's form would: its CSRF token and, on a page that makes a
        conference, the one-time token of a newly shown page unless `once` is given."""
        csrf = re.search(r'name="csrf" value="([^"]+)"', await self.page("/conferences"))
        fields = {"csrf": csrf.group(1)}
        if path in ("/conferences/new", "/conferences/import"):
            fields["once"] = once or await self.once(path)
        if isinstance(data, aiohttp.FormData):
            for name, value in fields.items():
                data.add_field(name, value)
        else:
            data = MultiDict(data)
            data.update(fields)
        return await self.client.post(path, data=data, headers=self.headers, allow_redirects=False)

    async def once(self, path: str) -> str:
        return re.search(r'name="once" value="([^"]+)"', await self.page(path)).group(1)


def add_staff(database, name, email, role) -> int:
    with database.session() as session, session.begin():
        return staff_members.add_staff(session, name, email, role, "test").id


async def signed_in(client, database, staff_id) -> Coordinator:
    with database.session() as session, session.begin():
        token = staff_members.issue_link(session, session.get(Staff, staff_id), "test")
    response = await client.post("/staff/sign-in", data={"token": token}, allow_redirects=False)
    assert response.status == 303
    return Coordinator(client, response.cookies[STAFF_COOKIE].value)


@pytest.fixture
async def coordinator(client, database) -> Coordinator:
    priya = add_staff(database, "Priya Shah", "priya.shah@example.gov.uk", "coordinator")
    return await signed_in(client, database, priya)


def conferences(database) -> list[Conference]:
    with database.session() as session:
        found = session.execute(select(Conference)).scalars().all()
        return [(c.id, c.chair_staff_id, [p.key for p in c.participants]) for c in found]


async def test_a_coordinator_sets_up_a_conference_and_goes_on_to_its_invites(coordinator, database):
    rosa = add_staff(database, "Rosa Quinn", ROSA, "chair")
    page = await coordinator.page("/conferences/new")
    assert "Set up a conference" in page and 'name="participant-P5-name"' in page
    assert '<option value="%d">Rosa Quinn</option>' % rosa in page
    response = await coordinator.post("/conferences/new", two_children_review(chair=str(rosa)))
    assert response.status == 303, await response.text()
    ((conference_id, chair, keys),) = conferences(database)
    assert response.headers["Location"] == f"/conferences/{conference_id}/invites"
    assert chair == rosa and keys == ["P1", "P2", "P3", "P4", "P5", "P7"]
    invites = await coordinator.page(response.headers["Location"])  # where they go on to
    assert "Dana Reid" in invites and "Grace Reid" in invites
    with database.session() as session:
        the_chair = session.get(Conference, conference_id).participants[-1]
        assert (the_chair.role, the_chair.name, the_chair.email) == ("chair", "Rosa Quinn", ROSA)
        actions = session.execute(select(AuditEvent.action)).scalars().all()
        assert "created_conference" in actions and "conference_created" in actions


async def test_a_refused_form_keeps_what_was_typed_and_writes_nothing(coordinator, database):
    response = await coordinator.post(
        "/conferences/new",
        two_children_review(date__year="2025", participant__P1__email="dana at home"),
    )
    assert response.status == 200
    page = unescape(await response.text())
    assert "There is a problem" in page
    assert '<a href="#date-day">The date of the conference must be in the future' in page
    assert 'id="participant-P1-email-error"' in page
    assert 'value="dana at home"' in page and 'value="GP practice"' in page
    assert "Sometimes mum drinks and it is not safe." in page
    assert conferences(database) == []


async def test_add_another_shows_the_form_again_with_one_more_row(coordinator, database):
    response = await coordinator.post(
        "/conferences/new", two_children_review(add="child", local_authority="")
    )
    page = unescape(await response.text())
    assert response.status == 200 and "There is a problem" not in page
    assert 'name="child-C-name"' in page and 'value="Noah"' in page
    assert conferences(database) == []


async def test_a_conference_file_is_imported_from_a_file_or_its_text(coordinator, database):
    rosa = add_staff(database, "Rosa Quinn", ROSA, "chair")
    data = aiohttp.FormData()
    data.add_field("file", reid_family().encode(), filename="reid.yml")
    data.add_field("text", "")
    response = await coordinator.post("/conferences/import", data)
    assert response.status == 303, await response.text()
    ((conference_id, chair, keys),) = conferences(database)
    assert response.headers["Location"] == f"/conferences/{conference_id}/invites"
    assert chair == rosa  # the file's chair participant has her email
    response = await coordinator.post("/conferences/import", {"text": reid_family()})
    assert response.status == 303 and len(conferences(database)) == 2


async def test_a_bad_file_is_refused_line_by_line_and_its_text_kept(coordinator, database):
    bad = reid_family().replace("channel: telegram", "channel: pigeon")
    response = await coordinator.post("/conferences/import", {"text": bad})
    page = unescape(await response.text())
    assert response.status == 200
    assert "The conference file was not imported" in page and "Nothing was saved" in page
    assert "line 17: participants[P2].channel: should be one of web, telegram, letter" in page
    assert "channel: pigeon" in page  # the text is there to put right
    past = reid_family("2026-01-10T10:00")
    page = unescape(await (await coordinator.post("/conferences/import", {"text": past})).text())
    assert "must be in the future: 10 January 2026 at 10:00 has passed" in page
    assert conferences(database) == []


async def test_removing_someone_who_answered_says_their_answers_stay(coordinator, database):
    conference_id, ids = conference_with(database, reid_family())
    with database.session() as session, session.begin():
        ola = session.get(Participant, ids["P3"])
        save_answer(session, ola, "worries", "sw", "Police were called twice in January")
        ola.response_status = "submitted"
    page = await coordinator.page(f"/conferences/{conference_id}/edit")
    assert "Change the conference" in page and 'value="Ola Adeyemi"' in page
    fields = form_fields(page)
    fields.add("participant-P3-remove", "yes")
    response = await coordinator.post(f"/conferences/{conference_id}/edit", fields)
    assert response.status == 303, await response.text()
    page = await coordinator.page(response.headers["Location"])
    assert "Your changes are saved" in page
    assert (
        "Ola Adeyemi was taken off this conference. Their invite no longer works. They had "
        "already answered: what they said stays in the record" in page
    )
    assert "Ola Adeyemi: had already answered. What they said stays in the record" in page
    with database.session() as session:
        assert session.get(Participant, ids["P3"]).removed_at is not None


async def test_a_conference_that_has_taken_place_can_no_longer_be_changed(coordinator, database):
    conference_id, _ = conference_with(database, reid_family("2026-01-10T10:00"))
    page = await coordinator.page(f"/conferences/{conference_id}/edit")
    assert "This conference can no longer be changed" in page
    assert "This conference was on 10 January 2026 at 10:00" in page
    response = await coordinator.post(f"/conferences/{conference_id}/edit", {"type": "initial"})
    assert "can no longer be changed" in await response.text()


async def test_a_chair_cannot_open_the_coordinators_pages(client, database):
    conference_id, _ = conference_with(database, reid_family())
    rosa = await signed_in(client, database, add_staff(database, "Rosa Quinn", ROSA, "chair"))
    await rosa.page("/conferences/new", status=403)
    await rosa.page("/conferences/import", status=403)
    await rosa.page(f"/conferences/{conference_id}/edit", status=403)
    assert (await client.get("/conferences/new", allow_redirects=False)).status == 401


def form_fields(page: str) -> MultiDict:
    """What a browser would post from the page's form as it stands."""
    fields = MultiDict()
    for tag in re.findall(r"<(?:input|textarea|select)[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) in ("csrf", "add", "save"):
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) in ("checkbox", "radio") and " checked" not in tag:
            continue
        if tag.startswith("<input"):
            fields.add(name.group(1), value.group(1) if value else "")
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        fields.add(name, text)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        fields.add(name, chosen.group(1) if chosen else "")
    return fields


async def test_an_import_needs_one_file_or_its_text_not_both_nor_neither(coordinator, database):
    page = unescape(await (await coordinator.post("/conferences/import", {"text": " "})).text())
    assert "Choose a conference file or paste its text" in page
    both = aiohttp.FormData()
    both.add_field("file", reid_family().encode(), filename="reid.yml")
    both.add_field("text", reid_family())
    page = unescape(await (await coordinator.post("/conferences/import", both)).text())
    assert "Choose a file or paste the text, not both" in page
    assert "Mia and Noah could be hurt" in page  # the pasted text is kept
    not_text = aiohttp.FormData()
    not_text.add_field("file", b"\xff\xfe\x00conference", filename="reid.yml")
    not_text.add_field("text", "")
    page = unescape(await (await coordinator.post("/conferences/import", not_text)).text())
    assert "The file could not be read: choose a YAML file" in page
    assert conferences(database) == []


async def test_a_change_adds_a_row_with_a_key_nobody_on_the_conference_had(coordinator, database):
    conference_id, ids = conference_with(database, reid_family())
    with database.session() as session, session.begin():
        conference = session.get(Conference, conference_id)
        session.add(
            Score(
                danger_statement=conference.danger_statements[0],
                participant=session.get(Participant, ids["P1"]),
                score=6,
            )
        )
    page = await coordinator.page(f"/conferences/{conference_id}/edit")
    assert "1 person has scored this danger statement: its words and children can no longer" in page
    fields = form_fields(page)
    fields.add("add", "participant")
    response = await coordinator.post(f"/conferences/{conference_id}/edit", fields)
    page = unescape(await response.text())
    assert response.status == 200 and "There is a problem" not in page
    assert 'name="participant-P6-name"' in page  # P5 is the chair's, though not a row
    fields = form_fields(page)
    fields["statement-D1-danger"] = "Other words"
    response = await coordinator.post(f"/conferences/{conference_id}/edit", fields)
    page = unescape(await response.text())
    assert (
        '<a href="#statement-D1-danger">Danger statement 1 cannot be changed or taken off: 1 '
        "person has already scored it as it is. Add a new danger statement instead</a>" in page
    )
    assert 'value="Other words"' not in page and ">Other words</textarea>" in page


def test_someone_missing_from_the_post_stays_and_only_a_tick_takes_anyone_off(database, reid):
    """A cut-off or made-up post without P2's and P4's rows changes nobody: they stay, with
    the last conference's scores; P3, ticked, is the only one taken off."""
    conference_id, ids = reid
    done = change(
        database,
        conference_id,
        participant__key=["P1", "P3"],
        participant__P3__remove="yes",
        statement__D1__children=["A", "B"],
    )
    assert [p.key for p in done.removed] == ["P3"]
    with database.session() as session:
        people = {p.key: p for p in session.get(Conference, conference_id).participants}
        assert [key for key, p in people.items() if p.removed_at] == ["P3"]
        assert people["P2"].name == "Mia Reid" and people["P4"].agency == "School nursing"
        previous = {
            p.participant.key: p.score for p in session.get(Conference, conference_id)
            .danger_statements[0].previous_scores
        }  # fmt: skip
        assert previous == {"P1": 5}  # P3 was taken off; nobody else lost theirs


def test_a_post_with_no_participant_rows_takes_nobody_off(database, reid):
    conference_id, _ = reid
    done = change(database, conference_id, participant__key=[])
    assert done.removed == []
    with database.session() as session:
        people = session.get(Conference, conference_id).participants
        assert [p.removed_at for p in people] == [None] * 5


def test_an_emptied_row_asks_whether_to_take_them_off(database, reid):
    conference_id, _ = reid
    emptied = {f"participant__P4__{box}": "" for box in ("name", "role", "agency")}
    with database.session() as session:
        conference = session.get(Conference, conference_id)
        form = read_form(posted(**(shown_fields(conference) | emptied)), [], conference, now=NOW)
    assert form.errors == {
        "participant-P4-name": "Participant 4's details are all empty: type them again, or "
        "tick 'Take them off this conference' to take them off"
    }
    done = change(database, conference_id, participant__P4__remove="yes", **emptied)
    assert [p.key for p in done.removed] == ["P4"]


def test_taking_off_everyone_asked_for_their_views_is_refused(database, reid):
    conference_id, _ = reid
    ticked = {f"participant__{key}__remove": "yes" for key in ("P1", "P2", "P3", "P4")}
    with pytest.raises(ConferenceChangeRefused) as refused:
        change(database, conference_id, **ticked)
    assert [p.field for p in refused.value.problems] == ["participants"]
    assert "take off everyone asked for their views" in str(refused.value)
    with database.session() as session:
        people = session.get(Conference, conference_id).participants
        assert [p.removed_at for p in people] == [None] * 5


async def test_the_page_refuses_taking_everyone_off_and_says_why(coordinator, database):
    conference_id, _ = conference_with(database, reid_family())
    fields = form_fields(await coordinator.page(f"/conferences/{conference_id}/edit"))
    for key in ("P1", "P2", "P3", "P4"):
        fields.add(f"participant-{key}-remove", "yes")
    response = await coordinator.post(f"/conferences/{conference_id}/edit", fields)
    page = unescape(await response.text())
    assert response.status == 200
    assert "This would take off everyone asked for their views. Keep at least one" in page
    assert 'href="#participant-rows"' in page
    with database.session() as session:
        people = session.get(Conference, conference_id).participants
        assert [p.removed_at for p in people] == [None] * 5


async def test_the_same_form_sent_twice_makes_one_conference(coordinator, database):
    """A double click, a POST resent after a slow answer, or back and resend: the second
    sending carries the page's one-time token again and goes to the conference the first
    made, even when both arrive at once."""
    once = await coordinator.once("/conferences/new")
    first = await coordinator.post("/conferences/new", two_children_review(), once=once)
    again = await coordinator.post("/conferences/new", two_children_review(), once=once)
    assert first.status == again.status == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert len(conferences(database)) == 1
    both = await asyncio.gather(
        *[coordinator.post("/conferences/new", two_children_review(), once=o) for o in [
            await coordinator.once("/conferences/new")] * 2]
    )  # fmt: skip
    assert [r.status for r in both] == [303, 303]
    assert both[0].headers["Location"] == both[1].headers["Location"]
    assert len(conferences(database)) == 2
    with database.session() as session:
        actions = session.execute(select(AuditEvent.action)).scalars().all()
        assert actions.count("conference_created") == 2
        assert actions.count("conference_sent_again") == 2


async def test_a_form_without_this_sessions_token_is_shown_again_and_saves_nothing(
    coordinator, database
):
    response = await coordinator.post("/conferences/new", two_children_review(), once="made.up")
    page = unescape(await response.text())
    assert response.status == 200
    assert "This form was not saved: it is out of date" in page and 'href="#save"' in page
    assert 'value="GP practice"' in page  # what was typed is kept
    fresh = re.search(r'name="once" value="([^"]+)"', page).group(1)
    assert conferences(database) == []
    response = await coordinator.post("/conferences/new", two_children_review(), once=fresh)
    assert response.status == 303 and len(conferences(database)) == 1


async def test_a_refused_form_keeps_its_token_so_a_second_sending_finds_the_first(
    coordinator, database
):
    once = await coordinator.once("/conferences/new")
    refused = await coordinator.post(
        "/conferences/new", two_children_review(date__year="2025"), once=once
    )
    assert f'name="once" value="{once}"' in await refused.text()
    made = await coordinator.post("/conferences/new", two_children_review(), once=once)
    again = await coordinator.post("/conferences/new", two_children_review(), once=once)
    assert made.headers["Location"] == again.headers["Location"]
    assert len(conferences(database)) == 1


async def test_a_file_imported_twice_by_one_page_makes_one_conference(coordinator, database):
    once = await coordinator.once("/conferences/import")
    first = await coordinator.post("/conferences/import", {"text": reid_family()}, once=once)
    again = await coordinator.post("/conferences/import", {"text": reid_family()}, once=once)
    assert first.status == again.status == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert len(conferences(database)) == 1
    stale = await coordinator.post("/conferences/import", {"text": reid_family()}, once="x.y")
    assert "This page is out of date: import the file again" in unescape(await stale.text())
    assert len(conferences(database)) == 1


@pytest.mark.parametrize("children", [["A"], ["A", "B"]])
def test_a_danger_statement_with_no_child_ticked_is_about_every_child(children):
    """With one child there is nothing to choose: no tick means every child, as it does for
    the children a participant speaks about."""
    one_child = {"child__key": children}
    if children == ["A"]:
        one_child.update(child__B__name="", child__B__age="", participant__P5__children=[])
    form = read_form(two_children_review(statement__D1__children=[], **one_child), [], now=NOW)
    assert form.errors == {}
    assert form.spec.danger_statements[0].children == children


async def test_the_form_says_no_tick_means_every_child(coordinator):
    page = await coordinator.page("/conferences/new")
    assert "The children above, in the same order. Tick none if it is about every child." in page


async def test_a_conference_keeps_its_chair_until_another_is_chosen_and_the_form_says_so(
    coordinator, database
):
    assert "Not chosen yet" in await coordinator.page("/conferences/new")
    rosa = add_staff(database, "Rosa Quinn", ROSA, "chair")
    conference_id, _ = conference_with(database, reid_family())  # Rosa, by her email
    page = await coordinator.page(f"/conferences/{conference_id}/edit")
    assert "Not chosen yet" not in page
    assert "The chair stays until you choose another: a conference is not left without" in page
    assert f'<option value="{rosa}" selected>Rosa Quinn</option>' in page
    fields = form_fields(page)
    fields["chair"] = ""  # as a made-up post might send
    response = await coordinator.post(f"/conferences/{conference_id}/edit", fields)
    assert response.status == 303
    assert conferences(database)[0][1] == rosa

    with database.session() as session, session.begin():  # Rosa leaves the council
        session.get(Staff, rosa).removed_at = NOW
    page = await coordinator.page(f"/conferences/{conference_id}/edit")
    assert '<option value="">Keep Rosa Quinn (no longer listed as a chair)</option>' in page
    response = await coordinator.post(f"/conferences/{conference_id}/edit", form_fields(page))
    assert response.status == 303 and conferences(database)[0][1] == rosa
