"""Nothing the chair should read is only in a download; "Who has answered" tells the truth.

The demo conference is filled by whole conversations through the conversation engine, as
the action server drives it: Kelly (parent) and Ava (9) and Jo (social worker) walk the
paths in tests/data, Dr Lee (GP) types her report, and Kelly adds something after sending.
Then the chair signs in over real HTTP to the real web app, and every word of the chair's
JSON export must be on some chair page reached from the pages' own links.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import lxml.html
import pytest
import yaml

from bot.model.answers import save_answer
from bot.model.database import Database, migrate
from bot.model.tables import Conference, Participant
from bot.review.signin import issue_link
from bot.settings import load_settings
from bot.web.app import create_app
from tests.browser import axe_problems, chromium
from tests.conftest import EXAMPLES, EngineChat, conference_with, environment_for
from tests.test_chair_browser import AXE

DATA = EXAMPLES.parent / "tests" / "data"
UK = ZoneInfo("Europe/London")
LATE = "Leo has a hospital appointment on the 15th in the morning"

# Dr Lee, the GP, at a review: (what she types, words of the chat's next question). A
# "which child?" question, when the chat asks one, is answered with its last button.
GP = [
    ("Mum brings Leo to every appointment", "anything else"),
    ("no", "strengths and protective factors"),
    ("Mum asks for help early", "anything else"),
    ("no", "What progress has the family made"),
    ("Leo's vaccinations are up to date", "has not happened, or has drifted"),
    ("Nothing", "new worries"),
    ("None", "past and current dangers"),
    ("Leo had a bruise on his arm in March", "What have the children experienced"),
    ("Leo is quiet in the surgery", "evidence that a child is being harmed"),
    ("None known", "complicating factors"),
    ("Dad's drinking at weekends", "anything else"),
    ("no", "What can the family do themselves"),
    ("Keep going to appointments", "anything else"),
    ("no", "What support can your agency offer"),
    ("Health visitor checks every month", "anything else"),
    ("no", "What has the child said"),
    ("Ava told me she worries about mum", "On a scale from 0 to 10"),
    ("5", "Why did you choose 5?"),
    ("Things are calmer at home", "move it up to 6"),
    ("Dad gets help with his drinking", "recommendation"),
    ("Child in need plan", "shared your report"),
    ("Not yet", "needs for the meeting"),
    ("An interpreter for dad, who speaks Polish", "Here is everything you told me"),
    ("send", "Ready to send"),
    ("Send it", "sent"),
]


WHICH_CHILD = "Is this about"


def path(name: str) -> list[tuple]:
    """A path from tests/data as (say, expect, which child if asked): whether the chat asks
    which child an answer is about is the dialogue's to decide, not this test's."""
    turns = [(t["say"], t["expect"]) for t in yaml.safe_load((DATA / f"{name}.yml").read_text())]
    walked = []
    for say, expect in turns:
        if walked and WHICH_CHILD in walked[-1][1]:
            walked[-1] = (walked[-1][0], expect, say)
        else:
            walked.append((say, expect, None))
    return walked


def walk(chat: EngineChat, turns: list[tuple]) -> None:
    """The first turn starts the chat; then each reply is typed, and the chat's next
    question checked. A "which child?" question is answered as the path says, or with its
    last button ("Both", "All of them")."""
    (_, first, _), *rest = turns
    assert first in chat.start()
    for say, expect, child in rest:
        replies = chat.replies(say)
        if WHICH_CHILD in replies[-1].text:
            replies = chat.replies(child or replies[-1].buttons[-1]["title"])
        said = "\n".join(reply.text for reply in replies)
        assert expect in said, (say, expect, said)


def soon(days: int = 14) -> date:
    return datetime.now(UK).date() + timedelta(days=days)


def demo_in(days: int) -> str:
    """The demo conference, `days` from today (a late addition is late by the calendar)."""
    when = soon(days)
    text = (EXAMPLES / "demo-conference.yml").read_text()
    return re.sub(r"date: \d{4}-\d\d-\d\dT", f"date: {when.isoformat()}T", text, count=1)


def whole_conversations(database) -> tuple[str, dict]:
    """The demo conference, two weeks away, after everyone's whole conversation."""
    conference_id, ids = conference_with(database, demo_in(14))
    walk(EngineChat(database, ids["P1"]), path("family_review_path"))
    walk(EngineChat(database, ids["P2"]), path("young_person_path"))
    walk(EngineChat(database, ids["P3"]), path("professional_path"))
    gp = [("/start", "existing safety"), *GP]
    walk(EngineChat(database, ids["P4"]), [(say, expect, None) for say, expect in gp])
    # after sending, as the action server takes a message from someone who has sent
    [added] = EngineChat(database, ids["P1"]).turn("add_late", LATE)
    assert "added that for the chair" in added.text
    return conference_id, ids


class Chair:
    """A chair signed in by their single-use link, in a client that keeps no cookies itself."""

    def __init__(self, client, conference_id: str, cookie: str):
        self.client, self.base = client, f"/conferences/{conference_id}"
        self.headers = {"Cookie": f"companion_chair={cookie}"}

    async def get(self, path: str) -> aiohttp.ClientResponse:
        return await self.client.get(path, headers=self.headers, allow_redirects=False)

    async def page(self, path: str = "") -> str:
        """One of this conference's pages: its address, or the part after the conference's."""
        response = await self.get(path if path.startswith(self.base) else self.base + path)
        assert response.status == 200, (path, response.status)
        return await response.text()

    async def export(self) -> dict:
        return json.loads(await self.page("/export?audience=chair&format=json"))


async def sign_in(aiohttp_client, settings, database, conference_id) -> Chair:
    client = await aiohttp_client(create_app(settings), cookie_jar=aiohttp.DummyCookieJar())
    with database.session() as session, session.begin():
        token = issue_link(session, conference_id, actor="test")
    response = await client.post("/sign-in", data={"token": token}, allow_redirects=False)
    assert response.status == 303
    return Chair(client, conference_id, response.cookies["companion_chair"].value)


@pytest.fixture
async def demo(aiohttp_client, settings, database):
    conference_id, ids = whole_conversations(database)
    return await sign_in(aiohttp_client, settings, database, conference_id), ids


def words(html: str) -> str:
    """A page's text as a person reads it: markup gone, entities read, spaces collapsed."""
    return " ".join(lxml.html.fromstring(html).text_content().split())


async def chair_pages(chair: Chair) -> dict[str, str]:
    """Every chair page reached by following the pages' own links from the first (not the
    downloads, nor one page per board item: those show the board's words again)."""
    found, waiting = {}, [chair.base]
    while waiting and len(found) < 40:
        address = waiting.pop(0)
        html = await chair.page(address)
        found[address] = words(html)
        for href in lxml.html.fromstring(html).xpath("//a/@href"):
            href = href.split("#")[0]
            inside = href == chair.base or href.startswith(chair.base + "/")
            if inside and "/export" not in href and "/item" not in href and href not in found:
                waiting.append(href) if href not in waiting else None
    return found


# What the chair's JSON export holds, by the key a string is found under: words people said
# (or the conference was set up with), which must be on a page; and what is not said, but
# names, marks or dates something. A new key must be put in one or the other.
SAID = {
    "text",  # answers (columns, child's voice, for the chair), alerts' words, the chair's items
    "original",  # an answer's words before the chair reworded it
    "question",  # what an answer for the chair was about
    "reason",  # a score's why
    "next_point",  # a score's what would move it up
    "participant_says",  # "you misunderstood", beside an alert
    "danger",
    "safety_goal",
    "name",  # a child's
    "dissent",
    "core_group_members",
    "rationale",
}
NOT_SAID = {
    "id",
    "participant",
    "role",
    "status",
    "type",
    "date",
    "local_authority",
    "key",
    "house",
    "share_with",
    "danger_statement",
    "kind",
    "at",
    "by",
    "from",
    "answer",
    "check_reply",
    "due",
    "plan",
    "plan_words",
    "categories",
    "category_titles",
    "core_group_date",
    "next_review_date",
    "recorded_by",
    "recorded_at",
    "children",  # child keys
    "media_type",  # a child's picture: an image, shown on the child's page (its own test's)
    "src",
    "lowest",
    "highest",
}


def strings(value, key=None, inside=()):
    """(key, string) for every string in the export, with the keys above it."""
    if isinstance(value, dict):
        for name, found in value.items():
            yield from strings(found, name, (*inside, name))
    elif isinstance(value, list):
        for found in value:
            yield from strings(found, key, inside)
    elif isinstance(value, str):
        yield key, inside, value


def said_in(export: dict) -> list[str]:
    said, unknown = [], set()
    for key, inside, value in strings(export):
        if "held_back" in inside or "changes" in inside or inside[:1] == ("record",):
            continue  # why and by whom an item is held back or changed; the record's state
        if inside == ("child_voice", "question"):
            continue  # which question of a house: the child's page shows the house
        if key in SAID:
            said.append(value)
        elif key not in NOT_SAID:
            unknown.add(".".join(inside))
    assert not unknown, f"say whether these are words to show the chair: {sorted(unknown)}"
    return said


def missing_from(pages: dict[str, str], export: dict) -> list[str]:
    return [
        said
        for said in said_in(export)
        if not any(" ".join(said.split()) in text for text in pages.values())
    ]


async def test_every_word_of_the_chairs_export_is_on_a_chair_page(demo):
    chair, _ = demo
    export = await chair.export()
    assert export["for_chair"], "the conversations left nothing for the chair"
    said = said_in(export)
    for expected in (LATE, "I am nervous about the meeting", "I miss my friends", "Not yet"):
        assert expected in said
    pages = await chair_pages(chair)
    assert f"{chair.base}/for-the-chair" in pages
    missing = missing_from(pages, export)
    assert missing == [], f"only in the download: {missing}"
    # The check itself: without the page, what only it shows is found missing.
    without = {k: v for k, v in pages.items() if not k.endswith("/for-the-chair")}
    assert {LATE, "An interpreter for dad, who speaks Polish"} <= set(missing_from(without, export))


async def test_said_for_the_chair_shows_each_item_with_its_question_and_marks(demo):
    """Each item of the export's `for_chair` is in its person's list beside what it was
    about, marked "Look at this" and "Sent after the answers" when the export says so."""
    chair, _ = demo
    export = await chair.export()
    document = lxml.html.fromstring(await chair.page("/for-the-chair"))
    for item in export["for_chair"]:
        [said] = document.xpath(f'//*[@id="{item["id"]}"]')
        row = said.xpath("ancestor::div[contains(@class, 'govuk-summary-list__row')]")[0]
        shown = " ".join(row.text_content().split())
        assert item["text"] in shown and item["question"] in shown, shown
        assert ("Look at this" in shown) == item["flagged"], shown
        assert ("Sent after the answers" in shown) == item["added_after_sending"], shown


async def test_people_are_listed_parents_first_with_their_true_status(demo):
    chair, _ = demo
    text = words(await chair.page("/for-the-chair"))
    order = [
        text.index(who)
        for who in (
            "Kelly Smith (parent or carer)",
            "Ava Smith (child or young person)",
            "Jo Brown (social worker)",
            "Dr Amy Lee (professional)",
        )
    ]
    assert order == sorted(order)
    kelly = text[order[0] : order[1]]
    assert "Their answers: Sent" in kelly
    for said in ("Questions about the reports What does core group mean?", "Breaks when I need"):
        assert said in kelly
    gp = text[order[3] :]
    assert "Recommendation Child in need plan" in gp
    assert "Report shared with the family Not yet Look at this" in gp
    assert "What the child has said or shown Ava told me she worries about mum" in gp


async def test_a_late_addition_before_the_day_is_in_its_persons_list_with_its_date(demo):
    chair, _ = demo
    text = words(await chair.page("/for-the-chair"))
    today = datetime.now(UK).date()
    assert "New Sent after the answers" not in text  # no banner: the conference is to come
    kelly = text[text.index("Kelly Smith (parent or carer)") : text.index("Ava Smith (")]
    assert f"{LATE} Sent after the answers on {today:%A} {today.day} {today:%B %Y}" in kelly


async def test_on_the_conference_day_a_late_addition_comes_first(demo, database):
    chair, _ = demo
    with database.session() as session, session.begin():
        conference = session.get(Conference, chair.base.rsplit("/", 1)[1])
        conference.date = datetime.combine(datetime.now(UK).date(), conference.date.time())
    text = words(await chair.page("/for-the-chair"))
    banner = text.index("Sent after the answers, on the day of the conference or since")
    assert banner < text.index("Kelly Smith (parent or carer) Their answers")
    assert text.index(f"Kelly Smith (parent or carer) {LATE} Sent after the answers") > banner
    assert text.count(LATE) == 1  # first, and not again in her list


def one_child(child: str, participants: list[str]) -> str:
    """A review conference a fortnight away about one child, with these participants
    (conference-file lines) and a chair."""
    people = "\n".join(f"  - {line}" for line in participants)
    return (
        f"conference: {{type: review, date: {soon()}T10:00, local_authority: Example Council}}\n"
        f"children: [{child}]\n"
        "danger_statements:\n"
        "  - {key: D1, danger: She could be hurt when the adults fight., safety_goal: Nobody is"
        " hurt., children: [A]}\n"
        f"participants:\n{people}\n  - {{key: PC, name: Sam Patel, role: chair}}\n"
    )


MIA = one_child(
    "{key: A, name: Mia, age: 13}",
    [
        "{key: P1, name: Mia Jones, role: young_person, child: A}",
        "{key: P2, name: Jo Brown, role: social_worker, agency: Children's Social Care}",
    ],
)


async def test_a_young_persons_wishes_and_message_are_for_the_chair(
    aiohttp_client, settings, database
):
    """Mia (13) says whether she wants to come to the meeting, and what the chair should know."""
    conference_id, ids = conference_with(database, MIA)
    mia = EngineChat(database, ids["P1"])
    mia.start()
    for said in ("Drama club", "no", "skip", "Everyone at the meeting, including my family"):
        mia.say(said)
    while "come to the meeting" not in mia.say("skip"):
        pass
    mia.say("Part of it")
    mia.say("Yes")
    mia.say("I want to stay with mum and nan")
    chair = await sign_in(aiohttp_client, settings, database, conference_id)
    text = words(await chair.page("/for-the-chair"))
    mine = text[text.index("Mia Jones") : text.index("Jo Brown")]
    assert "Wants to come to the meeting Part of it" in mine
    assert "Would like an advocate Yes Look at this" in mine
    assert "For the chair I want to stay with mum and nan" in mine
    assert "Jo Brown (social worker) Their answers: Not started Nothing for the chair yet." in text


async def test_someone_not_asked_for_views_who_said_something_is_listed_too(
    aiohttp_client, settings, database
):
    """An advocate has no questions; words kept from them for the chair are on the page."""
    conference_id, ids = conference_with(
        database,
        one_child(
            "{key: A, name: Ava, age: 9}",
            [
                "{key: P1, name: Kelly Smith, role: parent, children: [A]}",
                "{key: P2, name: Pat Green, role: advocate}",
            ],
        ),
    )
    with database.session() as session, session.begin():
        advocate = session.get(Participant, ids["P2"])
        save_answer(session, advocate, None, "anything_else", "Ava wants to speak first")
    chair = await sign_in(aiohttp_client, settings, database, conference_id)
    text = words(await chair.page("/for-the-chair"))
    assert text.index("Kelly Smith (parent or carer)") < text.index("Pat Green (advocate)")
    assert "Pat Green (advocate) Their answers: In progress For the chair Ava wants" in text


# ---------------------------------------------------------------------------------------------
# True statuses on "Who has answered"
# ---------------------------------------------------------------------------------------------

FIVE = one_child(
    "{key: A, name: Ava, age: 9}",
    [
        "{key: P1, name: Kelly Smith, role: parent, children: [A]}",
        "{key: P2, name: Tom Smith, role: parent, children: [A]}",
        "{key: P3, name: Nan Smith, role: family_member, children: [A]}",
        "{key: P4, name: Liz Smith, role: family_member, children: [A]}",
        "{key: P5, name: Jo Brown, role: social_worker, agency: Children's Social Care}",
        "{key: P6, name: Dr Amy Lee, role: professional, agency: GP practice}",
    ],
)


def status_of(html: str, name: str) -> str:
    """The words in a person's "Answers" cell on "Who has answered"."""
    [row] = lxml.html.fromstring(html).xpath(f'//tr[td[normalize-space()="{name}"]]')
    return " ".join(row.xpath("td")[2].text_content().split())


async def test_who_has_answered_shows_each_true_status(aiohttp_client, settings, database):
    """Not started, in progress, paused, stopped and sent, each as the person left it;
    whoever typed stop is "Stopped", not "In progress"."""
    conference_id, ids = conference_with(database, FIVE)
    kelly, tom, nan, jo, amy = (
        EngineChat(database, ids[key]) for key in ("P1", "P2", "P3", "P5", "P6")
    )
    for chat, first in ((kelly, "Partly"), (tom, "Yes"), (nan, "No"), (jo, "Nan visits daily")):
        chat.start()
        chat.say(first)
    tom.say("pause")
    nan.say("stop")
    amy.start()
    amy.say("stop")  # stopped before a single answer: stopped all the same
    chair = await sign_in(aiohttp_client, settings, database, conference_id)
    html = await chair.page("")
    assert status_of(html, "Kelly Smith") == "In progress"
    assert status_of(html, "Tom Smith") == "Paused"
    assert status_of(html, "Nan Smith") == "Stopped"
    assert status_of(html, "Liz Smith") == "Not started"  # never opened the chat
    assert status_of(html, "Jo Brown") == "In progress"
    assert status_of(html, "Dr Amy Lee") == "Stopped"

    tom.start()  # back after the pause, as a returning message does
    while "Here is everything you told me" not in kelly.say("skip"):
        pass
    kelly.say("Send my answers")
    kelly.say("Yes, share them")
    html = await chair.page("")
    assert status_of(html, "Tom Smith") == "In progress"
    assert status_of(html, "Kelly Smith") == "Sent"


# ---------------------------------------------------------------------------------------------
# In a real browser: found from the navigation, and axe-core finds no problem on it
# ---------------------------------------------------------------------------------------------


async def test_in_a_browser_every_word_is_on_a_page_and_the_page_is_accessible(
    aiohttp_server, tmp_path
):
    """As a chair would check: each page of the navigation read as the browser shows it,
    against the chair's JSON export downloaded in the same signed-in browser; then, on the
    conference day, the late addition first, and axe-core finds no problem on the page."""
    settings = load_settings(environment_for(tmp_path))
    migrate(settings.database_url)
    database = Database(settings)
    conference_id, _ = whole_conversations(database)
    with database.session() as session, session.begin():
        token = issue_link(session, conference_id, actor="test")
    server = await aiohttp_server(create_app(settings))
    site = f"http://127.0.0.1:{server.port}"
    async with chromium() as browser:
        # axe is injected as a script of the test's own, which the pages' policy refuses.
        context = await browser.new_context(
            bypass_csp=True, viewport={"width": 1000, "height": 800}
        )
        page = await context.new_page()
        await page.goto(f"{site}/sign-in/{token}")
        await page.get_by_role("button", name="Sign in").click()
        await page.get_by_role("heading", name="Who has answered").wait_for()
        navigation = page.get_by_role("navigation").get_by_role("link")
        titles = await navigation.all_inner_texts()
        assert "Said for the chair" in titles
        shown = {}
        for title in titles:
            await page.get_by_role("navigation").get_by_role("link", name=title).click()
            await page.get_by_role("heading", name=title, level=1).wait_for()
            shown[title] = " ".join((await page.locator("main").inner_text()).split())
        download = await page.request.get(
            f"{site}/conferences/{conference_id}/export?audience=chair&format=json"
        )
        missing = missing_from(shown, await download.json())
        assert missing == [], f"only in the download: {missing}"

        with database.session() as session, session.begin():
            conference = session.get(Conference, conference_id)  # the day has come
            conference.date = datetime.combine(datetime.now(UK).date(), conference.date.time())
        database.dispose()
        await page.get_by_role("link", name="Said for the chair").click()
        await page.get_by_role("heading", name="Said for the chair", level=1).wait_for()
        assert await page.get_by_role("region", name="New").get_by_text(LATE).is_visible()
        assert await page.get_by_role("heading", name="Dr Amy Lee (professional)").is_visible()
        await page.screenshot(path=tmp_path / "for-the-chair.png", full_page=True)
        assert await axe_problems(page, AXE) == []
