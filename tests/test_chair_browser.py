"""The chair's pages in a real browser (Debian's Chromium, headless, driven by playwright
with executable_path; never `playwright install`): sign in, switch views, change an item,
record the decision, approve; a screenshot of the board; axe-core finds no serious
accessibility problem on it."""

from __future__ import annotations

import pytest

from bot.model.database import Database, migrate
from bot.review import signin
from bot.settings import PROJECT_ROOT, load_settings
from bot.web.app import create_app
from tests.browser import axe_problems, chromium
from tests.conftest import answered_demo, environment_for

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
async def chair_site(tmp_path, aiohttp_server):
    """The web app on loopback with the demo conference, answered in part; the chair's
    sign-in address."""
    assert AXE.exists(), "make installs axe-core from package-lock.json"
    settings = load_settings(environment_for(tmp_path))
    migrate(settings.database_url)
    database = Database(settings)
    conference_id, _ = answered_demo(database)
    with database.session() as session, session.begin():
        token = signin.issue_link(session, conference_id, actor="test")
    database.dispose()
    server = await aiohttp_server(create_app(settings))
    return f"http://127.0.0.1:{server.port}", token


async def test_a_chair_signs_in_edits_decides_and_approves(chair_site, tmp_path):
    site, token = chair_site
    async with chromium() as browser:
        # axe is injected as a script of the test's own, which the pages' policy refuses.
        context = await browser.new_context(bypass_csp=True)
        page = await context.new_page()

        await page.goto(f"{site}/sign-in/{token}")
        await page.get_by_role("button", name="Sign in").click()
        await page.get_by_role("heading", name="Who has answered").wait_for()
        assert await page.get_by_role("cell", name="Kelly Smith").is_visible()

        await page.get_by_role("link", name="The board").click()
        await page.get_by_role("heading", name="What's working well?").wait_for()
        await page.get_by_role("link", name="Hackney headings").click()
        await page.get_by_role("heading", name="Existing safety").wait_for()

        await page.get_by_role("link", name="Change this item: Dad's drinking").click()
        await page.get_by_label("New words").fill("Dad drinks at the weekend")
        await page.get_by_role("button", name="Save the new words").click()
        await page.get_by_text("Dad drinks at the weekend", exact=True).wait_for()
        await page.get_by_text("The words as they were said").click()
        assert await page.get_by_text("Dad's drinking at weekends", exact=True).is_visible()
        await page.screenshot(path=tmp_path / "board.png", full_page=True)
        assert (tmp_path / "board.png").stat().st_size > 10_000

        problems = await axe_problems(page, AXE)
        assert problems == [], problems

        await page.get_by_role("link", name="The decision").click()
        await page.get_by_role("button", name="Save the decision").click()
        await page.get_by_role("heading", name="There is a problem").wait_for()
        problems = await axe_problems(page, AXE)  # the error summary and messages
        assert problems == [], problems
        await page.get_by_label("The child protection plan continues.").check()
        await page.get_by_label("Neglect").check()
        for field, (day, month, year) in {
            "core_group_date": ("5", "1", "2027"),
            "next_review_date": ("15", "6", "2027"),
        }.items():
            await page.locator(f"#{field}-day").fill(day)
            await page.locator(f"#{field}-month").fill(month)
            await page.locator(f"#{field}-year").fill(year)
        await page.get_by_label("Your reasons for the decision").fill(
            "The drinking worries remain."
        )
        await page.locator("#next_review_date-day").fill("31/2/2027")  # the whole date, and wrong
        await page.locator("#next_review_date-month").fill("")
        await page.locator("#next_review_date-year").fill("")
        await page.get_by_role("button", name="Save the decision").click()
        await page.get_by_role(
            "link", name="Enter a real date for the next review conference, for example 27 3 2027"
        ).click()
        assert await page.locator("#next_review_date-day").evaluate(
            "e => e === document.activeElement"
        )
        assert await page.locator("#next_review_date-day").input_value() == "31"
        assert await page.locator("#next_review_date-year").input_value() == "2027"
        await page.locator("#next_review_date-day").fill("15")
        await page.get_by_role("button", name="Save the decision").click()
        await page.get_by_text("The decision is saved").wait_for()

        # The demo conference is still to come and Jo has not sent: the chair says yes twice.
        await page.get_by_role("button", name="Approve version 1").click()
        await page.get_by_text("The record is not approved. It is early").wait_for()
        assert "Jo Brown (social worker): in progress" in await page.inner_text("main")
        problems = await axe_problems(page, AXE)
        assert problems == [], problems
        await page.get_by_label("I still want to approve the record now").check()
        await page.get_by_role("button", name="Approve version 1").click()
        await page.get_by_role("heading", name="Version 1 is approved").wait_for()
        await page.get_by_role("link", name="Version 1").click()
        assert await page.get_by_text("The child protection plan continues.").is_visible()
        assert await page.get_by_text("This version was approved early.").is_visible()
