"""In a real browser (Debian's Chromium through tests/browser.py), against the running
service: a coordinator signs in, sends every invite from the conference's invites page,
the service itself sends them through (the fake) GOV.UK Notify, and a parent opens the
emailed link and starts her chat. axe-core finds no serious problem on the invites page or
the letter."""

from __future__ import annotations

import asyncio
import time

from bot.model.database import Database
from bot.review import staff as staff_members
from bot.settings import PROJECT_ROOT
from tests import fake_notify as fake
from tests.browser import axe_problems, chromium
from tests.conftest import import_conference
from tests.test_invites_outreach import FAMILY

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"


def staff_link(stack, conference_id: str) -> str:
    """A coordinator added to the running service, and their sign-in link's token."""
    database = Database(stack.settings)
    try:
        with database.session() as session, session.begin():
            priya = staff_members.add_staff(
                session, "Priya Shah", f"priya.{conference_id[:8]}@example.gov.uk",
                "coordinator", actor="test",
            )  # fmt: skip
            return staff_members.issue_link(session, priya, actor="test")
    finally:
        database.dispose()


async def emailed_to(fake_notify, address: str, wait: float = 30) -> dict:
    """The message the service sent to this address, once it has."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = [m for m in fake_notify.received if m.get("email_address") == address]
        if found:
            return found[0]
        await asyncio.sleep(0.25)
    raise AssertionError(f"nothing was sent to {address} in {wait} s")


async def test_a_coordinator_sends_the_invites_and_a_parent_opens_her_emailed_link(
    stack, fake_notify, tmp_path
):
    assert AXE.exists(), "make installs axe-core from package-lock.json"
    kelly = f"kelly.{time.time_ns()}@example.com"
    path = tmp_path / "family.yml"
    path.write_text(FAMILY.replace("kelly@example.com", kelly))
    conference_id = import_conference(stack.env, path)["id"]
    token = staff_link(stack, conference_id)
    site = stack.settings.web_url
    async with chromium() as browser:
        coordinator = await (await browser.new_context(bypass_csp=True)).new_page()
        await coordinator.goto(f"{site}/staff/sign-in/{token}")
        await coordinator.get_by_role("button", name="Sign in").click()
        await coordinator.wait_for_url(f"{site}/conferences")
        await coordinator.goto(f"{site}/conferences/{conference_id}/invites")
        await coordinator.get_by_role("button", name="Send every invite not yet sent").click()
        await coordinator.get_by_text(
            "5 emails and texts will be sent in the next minute."
        ).wait_for()
        problems = await axe_problems(coordinator, AXE)
        assert problems == [], problems

        email = await emailed_to(fake_notify, kelly)  # sent by the service's own loop
        assert email["template_id"] == fake.INVITE_EMAIL_TEMPLATE
        link = email["personalisation"]["web_link"]
        assert link.startswith(f"{stack.settings.public_url}/chat#invite=")

        status = coordinator.locator('tr[data-participant="P1"] [data-status]')
        for _ in range(60):  # Notify's delivery report, asked for by the service
            await coordinator.reload()
            if await status.inner_text() == "Delivered":
                break
            await asyncio.sleep(0.5)
        assert await status.inner_text() == "Delivered"

        await coordinator.get_by_role("link", name="Letter to print for Ava Smith").click()
        await coordinator.get_by_role("heading", name="Dear Ava Smith").wait_for()
        assert await coordinator.locator("[data-qr] svg").count() == 1
        problems = await axe_problems(coordinator, AXE)
        assert problems == [], problems

        parent = await browser.new_page()
        await parent.goto(link.replace(stack.settings.public_url, site))
        await parent.get_by_text("Hello Kelly").wait_for()
        await parent.get_by_text("Have you seen the reports").wait_for()
        assert "invite" not in parent.url  # the code left the address bar
