"""The staff's list of conferences in a real browser (Debian's Chromium, headless, driven by
playwright with executable_path): a chair signs in with her link, sees her conference
among hers with who has answered and the alert to read, opens its review and signs out; a
coordinator sees every conference; axe-core finds no serious accessibility problem."""

from __future__ import annotations

import pytest

from bot.model.database import Database, migrate
from bot.review import staff as staff_members
from bot.settings import PROJECT_ROOT, load_settings
from bot.web.app import create_app
from tests.browser import axe_problems, chromium
from tests.conftest import answered_demo, conference_with, environment_for
from tests.test_chair_pages import REID_FAMILY

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SAM = "sam.patel@example.gov.uk"  # the demo conference's chair


@pytest.fixture
async def staff_site(tmp_path, aiohttp_server):
    """The web app on loopback with the demo conference (answered in part, chaired by Sam
    Patel) and the Reid family's (another chair's); sign-in tokens for Sam and Priya."""
    assert AXE.exists(), "make installs axe-core from package-lock.json"
    settings = load_settings(environment_for(tmp_path))
    migrate(settings.database_url)
    database = Database(settings)
    demo, ids = answered_demo(database)
    reid, _ = conference_with(database, REID_FAMILY)
    tokens = {}
    with database.session() as session, session.begin():
        for name, email, role in (
            ("Sam Patel", SAM, "chair"),
            ("Priya Shah", "priya.shah@example.gov.uk", "coordinator"),
        ):
            member = staff_members.add_staff(session, name, email, role, actor="test")
            tokens[role] = staff_members.issue_link(session, member, actor="test")
    database.dispose()
    server = await aiohttp_server(create_app(settings))
    return f"http://127.0.0.1:{server.port}", tokens, demo, reid


async def test_a_chair_and_a_coordinator_each_see_their_conferences(staff_site, tmp_path):
    site, tokens, demo, reid = staff_site
    async with chromium() as browser:
        context = await browser.new_context(bypass_csp=True)  # axe comes as our own script
        page = await context.new_page()

        await page.goto(f"{site}/staff/sign-in/{tokens['chair']}")
        await page.get_by_role("button", name="Sign in").click()
        await page.get_by_role("heading", name="Your conferences").wait_for()
        rows = page.locator("tbody tr")
        assert await rows.count() == 1  # the Reid family's is another chair's
        row = await rows.first.inner_text()
        assert "Review" in row and "Ava (9), Leo (4)" in row
        assert "2 of 4" in row  # Kelly and Ava sent theirs
        await page.screenshot(path=tmp_path / "conferences.png", full_page=True)
        assert (tmp_path / "conferences.png").stat().st_size > 10_000
        assert await axe_problems(page, AXE) == []

        await rows.first.get_by_role("link").click()
        await page.get_by_role("heading", name="Who has answered").wait_for()
        assert page.url == f"{site}/conferences/{demo}"
        await page.get_by_role("link", name="All your conferences").click()
        await page.get_by_role("heading", name="Your conferences").wait_for()
        await page.get_by_role("button", name="Sign out").click()
        await page.get_by_role("heading", name="You have signed out").wait_for()
        await page.goto(f"{site}/conferences")
        await page.get_by_role("heading", name="Sign in to see this page").wait_for()

        await page.goto(f"{site}/staff/sign-in/{tokens['coordinator']}")
        await page.get_by_role("button", name="Sign in").click()
        await page.get_by_role("heading", name="Conferences").wait_for()
        assert await page.locator("tbody tr").count() == 2
        links = [await a.get_attribute("href") for a in await page.locator("tbody a").all()]
        assert sorted(links) == sorted(f"/conferences/{c}/invites" for c in (demo, reid))
        assert await page.get_by_role("button", name="Set up a conference").is_visible()
        assert await page.get_by_role("button", name="Import a conference file").is_visible()
        assert await axe_problems(page, AXE) == []
