"""A coordinator sets up a review conference on the pages in a real browser (Debian's
Chromium through tests/browser.py): two children, five participants, a danger statement
with the young people's wording and a staff chair; a mistake first, shown beside its box
with everything typed kept; axe-core finds no serious accessibility problem on the form."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.model.database import Database, migrate
from bot.model.tables import Conference, Staff
from bot.review import staff as staff_members
from bot.settings import PROJECT_ROOT, load_settings
from bot.web.app import create_app
from bot.web.conference_form import CHANNEL_WORDS
from tests.browser import axe_problems, chromium
from tests.conftest import environment_for

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
PEOPLE = [  # name, role, agency, email, mobile, channel
    ("Dana Reid", "Parent or carer", "", "dana@example.org", "", "web"),
    ("Mia Reid", "Child or young person", "", "", "07700 900123", "telegram"),
    ("Ola Adeyemi", "Social worker", "Children's Social Care", "ola@example.gov.uk", "", ""),
    ("Dr Amy Lee", "Professional", "GP practice", "amy.lee@example.nhs.uk", "07700900004", ""),
    ("Grace Reid", "Family or network member", "", "", "", "letter"),
]


@pytest.fixture
async def site(tmp_path, aiohttp_server, database_url):
    """The web app on loopback, on each database; a coordinator's sign-in token and a
    staff chair."""
    assert AXE.exists(), "make installs axe-core from package-lock.json"
    settings = load_settings(environment_for(tmp_path, DATABASE_URL=database_url))
    migrate(settings.database_url)
    database = Database(settings)
    with database.session() as session, session.begin():
        priya = staff_members.add_staff(
            session, "Priya Shah", "priya.shah@example.gov.uk", "coordinator", "test"
        )
        staff_members.add_staff(session, "Rosa Quinn", "rosa.quinn@example.gov.uk", "chair", "t")
        token = staff_members.issue_link(session, priya, "test")
    server = await aiohttp_server(create_app(settings))
    yield f"http://127.0.0.1:{server.port}", token, database
    database.dispose()


async def signed_in(browser, address: str, token: str):
    """A page in a new browser context, the coordinator signed in with her link."""
    context = await browser.new_context(bypass_csp=True)  # axe comes in as our script
    page = await context.new_page()
    await page.goto(f"{address}/staff/sign-in/{token}")
    await page.get_by_role("button", name="Sign in").click()
    return page


async def test_a_coordinator_sets_up_a_review_for_two_children_and_five_people(site):
    address, token, database = site
    async with chromium() as browser:
        page = await signed_in(browser, address, token)
        await page.locator('a[href="/conferences/new"]').click()  # from the list
        await page.get_by_role("heading", name="Set up a conference").wait_for()

        await page.get_by_label("Review child protection conference").check()
        await page.locator("#date-day").fill("10")
        await page.locator("#date-month").fill("3")
        await page.locator("#date-year").fill("2027")
        await page.get_by_label("Time").fill("1:30pm")
        await page.get_by_label("Local authority").fill("Northfield Borough Council")
        for key, name, age in (("A", "Mia", "11"), ("B", "Noah", "six")):  # a slip: "six"
            await page.locator(f"#child-{key}-name").fill(name)
            await page.locator(f"#child-{key}-age").fill(age)
        await page.locator("#statement-D1-danger").fill(
            "Mia and Noah could be hurt when mum drinks heavily."
        )
        await page.locator("#statement-D1-safety_goal").fill(
            "There is always a sober adult caring for Mia and Noah."
        )
        await page.locator("#statement-D1-children").check()
        await page.locator("#statement-D1-children-2").check()
        await page.get_by_text("The young people's wording (optional)").click()
        await page.locator("#statement-D1-young_danger").fill("Sometimes mum drinks too much.")
        await page.locator("#statement-D1-young_safety_goal").fill("A grown-up is always ok.")
        for number, (name, role, agency, email, mobile, channel) in enumerate(PEOPLE, 1):
            box = f"#participant-P{number}-"
            await page.locator(box + "name").fill(name)
            await page.locator(box + "role").select_option(label=role)
            await page.locator(box + "agency").fill(agency)
            await page.locator(box + "email").fill(email)
            await page.locator(box + "phone").fill(mobile)
            if role == "Child or young person":
                await page.locator(box + "child").select_option(label="Child 1")
            if channel:  # the first radio has the field's own id, the others -2, -3
                place = list(CHANNEL_WORDS).index(channel)
                await page.locator(box + "channel" + (f"-{place + 1}" if place else "")).check()
        await page.get_by_label("Conference chair").select_option(label="Rosa Quinn")
        await page.get_by_role("button", name="Set up the conference").click()

        # The slip is named beside its box; everything typed is still there.
        await page.get_by_role("heading", name="There is a problem").wait_for()
        await page.get_by_role(
            "link", name="Child 2's age should be a whole number from 0 to 18"
        ).click()
        assert await page.locator("#child-B-age").evaluate("e => e === document.activeElement")
        assert await page.locator("#participant-P4-agency").input_value() == "GP practice"
        assert await page.locator("#statement-D1-children-2").is_checked()
        assert await page.locator("#participant-P2-child").input_value() == "A"
        problems = await axe_problems(page, AXE)
        assert problems == [], problems

        await page.locator("#child-B-age").fill("6")
        # A double click sends the form twice: the second finds the conference the first made
        await page.get_by_role("button", name="Set up the conference").dblclick()
        await page.wait_for_url(re.compile(r"/conferences/[0-9a-f-]+/invites$"))

    conference_id = page.url.split("/")[-2]
    with database.session() as session:
        assert session.execute(select(Conference.id)).scalars().all() == [conference_id]
        conference = session.get(Conference, conference_id)
        rosa = session.execute(select(Staff).where(Staff.role == "chair")).scalar_one()
        assert conference.chair_staff_id == rosa.id
        assert (conference.type, conference.date.isoformat()) == ("review", "2027-03-10T13:30:00")
        assert [(c.name, c.age) for c in conference.children] == [("Mia", 11), ("Noah", 6)]
        people = [(p.name, p.role, p.channel) for p in conference.participants]
        assert people == [
            ("Dana Reid", "parent", "web"),
            ("Mia Reid", "young_person", "telegram"),
            ("Ola Adeyemi", "social_worker", None),
            ("Dr Amy Lee", "professional", None),
            ("Grace Reid", "family_member", "letter"),
            ("Rosa Quinn", "chair", None),
        ]
        assert conference.participants[1].child_key == "A"
        assert conference.danger_statements[0].young_danger == "Sometimes mum drinks too much."


async def test_a_coordinator_imports_a_conference_file_chosen_in_the_browser(site, tmp_path):
    address, token, database = site
    text = (PROJECT_ROOT / "examples" / "demo-conference.yml").read_text()
    bad = tmp_path / "family.yml"
    bad.write_text(
        text.replace("date: 2026-12-15T10:00", "date: 2027-12-15T10:00").replace(
            "role: young_person, child: A}", "role: young_person, child: A, channel: pigeon}"
        )
    )
    async with chromium() as browser:
        page = await signed_in(browser, address, token)
        await page.locator('a[href="/conferences/import"]').click()
        await page.get_by_label("The conference file").set_input_files(bad)
        await page.get_by_role("button", name="Import the conference").click()
        await page.get_by_text(
            "participants[P2].channel: should be one of web, telegram, letter"
        ).wait_for()
        box = page.get_by_label("Or paste the file's text")
        assert "channel: pigeon" in await box.input_value()  # the file's text, to put right
        await box.fill((await box.input_value()).replace(", channel: pigeon", ""))
        await page.get_by_role("button", name="Import the conference").click()
        await page.wait_for_url(re.compile(r"/conferences/[0-9a-f-]+/invites$"))
    with database.session() as session:
        conference = session.get(Conference, page.url.split("/")[-2])
        assert [p.key for p in conference.participants] == ["P1", "P2", "P3", "P4", "P5"]


async def test_enter_in_a_box_saves_the_conference_rather_than_adding_a_row(site):
    """The form's "Add another" buttons come before its save button; Enter must still save,
    on a new conference and on a change to one, and the extra button axe cannot fault."""
    address, token, database = site
    async with chromium() as browser:
        page = await signed_in(browser, address, token)
        await page.goto(f"{address}/conferences/new")
        await page.get_by_label("Initial child protection conference").check()
        for part, value in (("day", "4"), ("month", "5"), ("year", "2027")):
            await page.locator(f"#date-{part}").fill(value)
        await page.get_by_label("Time").fill("10am")
        await page.get_by_label("Local authority").fill("Northfield Borough Council")
        await page.locator("#child-A-name").fill("Ava")
        await page.locator("#child-A-age").fill("9")
        await page.locator("#statement-D1-danger").fill("Ava could be hurt when dad drinks.")
        await page.locator("#statement-D1-safety_goal").fill("A sober adult always cares for Ava.")
        # her only child: no tick needed, none ticked is every child
        await page.locator("#participant-P1-name").fill("Kelly Smith")
        await page.locator("#participant-P1-role").select_option(label="Parent or carer")
        await page.locator("#participant-P1-email").fill("kelly@example.org")
        problems = await axe_problems(page, AXE)
        assert problems == [], problems
        await page.locator("#participant-P1-email").press("Enter")
        await page.wait_for_url(re.compile(r"/conferences/[0-9a-f-]+/invites$"))
        conference_id = page.url.split("/")[-2]

        # Changing it: Enter in a box saves the change, and adds no empty row.
        await page.goto(f"{address}/conferences/{conference_id}/edit")
        await page.locator("#child-A-name").fill("Ava Rose")
        await page.locator("#child-A-name").press("Enter")
        await page.get_by_text("Your changes are saved").wait_for()
        assert await page.locator("#child-B-name").count() == 0

    with database.session() as session:
        conference = session.get(Conference, conference_id)
        assert [(c.name, c.age) for c in conference.children] == [("Ava Rose", 9)]
        assert conference.danger_statements[0].children == ["A"]
        assert [(p.name, p.role) for p in conference.participants] == [("Kelly Smith", "parent")]
