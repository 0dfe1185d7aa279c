"""The web chat in a real browser (Debian's Chromium, headless, playwright with
executable_path), against the real stack: the invite link opens it, answers by typing and
by a button, a reload resumes, Exit leaves; and the same page without JavaScript."""

from __future__ import annotations

from tests.browser import chromium
from tests.conftest import EXAMPLES, import_conference

NEUTRAL = "https://www.bbc.co.uk/weather"


async def test_a_parent_chats_in_the_browser_reloads_and_exits(stack, tmp_path):
    codes = import_conference(stack.env, EXAMPLES / "demo-conference.yml")
    site = stack.settings.web_url
    async with chromium() as browser:
        page = await browser.new_page()
        # The machine has no internet: the ordinary site Exit goes to is answered here.
        await page.route(f"{NEUTRAL}**", lambda route: route.fulfill(body="Weather"))

        await page.goto(f"{site}/chat#invite={codes['P1']}")
        await page.get_by_text("Have you seen the reports").wait_for()
        assert "invite" not in page.url  # the code left the address bar
        assert await page.evaluate("localStorage.length") == 0

        await page.get_by_label("Your answer").fill("i read most of them")
        await page.get_by_role("button", name="Send").click()
        await page.get_by_text("Did someone go through the reports with you?").wait_for()
        await page.get_by_role("button", name="Yes", exact=True).click()
        await page.get_by_text("Do you have any questions about the reports?").wait_for()
        await page.screenshot(path=tmp_path / "chat.png", full_page=True)
        assert (tmp_path / "chat.png").stat().st_size > 10_000

        await page.reload()
        await page.get_by_text("Do you have any questions about the reports?").wait_for()
        assert await page.evaluate("localStorage.length + sessionStorage.length") == 0

        await page.get_by_role("button", name="Exit this page").click()
        await page.wait_for_url(f"{NEUTRAL}**")
        await page.goto(f"{site}/chat")
        await page.get_by_label("The code from your invite").wait_for()


async def test_without_javascript_a_question_is_answered(stack):
    codes = import_conference(stack.env, EXAMPLES / "demo-conference.yml")
    async with chromium() as browser:
        context = await browser.new_context(java_script_enabled=False)
        page = await context.new_page()
        await page.goto(f"{stack.settings.web_url}/chat")
        await page.get_by_label("The code from your invite").fill(codes["P3"])
        await page.get_by_role("button", name="Start").click()
        await page.get_by_text("Hello Jo").wait_for()
        await page.get_by_label("Your answer").fill("The children are at school every day.")
        await page.get_by_role("button", name="Send").click()
        assert "/chat" in page.url
        # Sent: the box is empty, and the words are shown as hers, with the bot's reply.
        assert await page.get_by_label("Your answer").input_value() == ""
        said = page.locator(".companion-chat__person", has_text="at school every day")
        assert await said.count() == 1
