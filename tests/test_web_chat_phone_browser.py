"""The web chat on a phone (360 x 740, Debian's Chromium through playwright), against the real
stack: the 0-10 scale fits in two rows with what 0 and 10 mean beside it and the question
in view; a reload shows the question and what led to it; helpline numbers are tel: links.
And a child's drawing on the chair's child's voice page. Screenshots go to var/screenshots/
(not committed) to be looked at."""

from __future__ import annotations

from pathlib import Path

from bot.model.database import Database
from bot.review import signin
from bot.settings import PROJECT_ROOT
from tests.browser import chromium
from tests.conftest import EXAMPLES, import_conference
from tests.test_pictures import Child, drawing
from tests.test_web_chat import Browser

PHONE = {"width": 360, "height": 740}
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
SCALE_WORDS = "what number would you give today?"


def to_the_scale(kelly: Browser) -> None:
    """Kelly skips every question before her first 0-10 scale (plain forms, quickly)."""
    for _ in range(80):
        if SCALE_WORDS in kelly.get().text:
            return
        kelly.say("skip")
    raise AssertionError("the scale was never asked")


async def in_the_browser(browser, stack, http) -> object:
    """A phone-sized page holding the chat session that `http` (requests) opened."""
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2)
    await context.add_cookies(
        [{"name": c.name, "value": c.value, "url": stack.settings.web_url} for c in http.cookies]
    )
    return await context.new_page()


async def test_on_a_phone_the_scale_fits_in_two_rows_with_its_ends_and_the_question(stack):
    codes = import_conference(stack.env, EXAMPLES / "demo-conference.yml")
    kelly = Browser(stack)
    kelly.start(codes["P1"])
    to_the_scale(kelly)
    async with chromium() as browser:
        page = await in_the_browser(browser, stack, kelly.http)
        await page.goto(f"{stack.settings.web_url}/chat")
        buttons = page.locator(".companion-choices--scale button")
        assert await buttons.count() == 11
        boxes = [await buttons.nth(i).bounding_box() for i in range(11)]
        rows = sorted({round(box["y"]) for box in boxes})
        assert len(rows) == 2, rows  # 6 and 5
        assert all(box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] for box in boxes)
        assert all(box["height"] >= 36 and box["width"] >= 40 for box in boxes), boxes  # a finger
        ends = page.locator(".companion-scale-ends")
        assert await ends.is_visible()
        said = await ends.inner_text()
        assert "The worry is happening now" in said and "The goal has been reached" in said
        # The question's last words are on screen with the buttons, not scrolled away.
        question = page.get_by_text(SCALE_WORDS, exact=False).last
        box, first, last = await question.bounding_box(), boxes[0], boxes[-1]
        assert box["y"] + box["height"] > 0 and box["y"] < first["y"]
        assert last["y"] + last["height"] <= PHONE["height"]
        for end in (ends, buttons.first):
            assert await end.evaluate("e => e.getBoundingClientRect().bottom <= innerHeight")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=SCREENSHOTS / "scale-360.png")

        # The buttons are real form buttons: pressing one answers, and a reload shows the
        # question now with what led to it (her 6, and the scale it answered).
        await buttons.nth(6).click()
        await page.get_by_text("Why did you choose 6?").wait_for()
        await page.reload()
        await page.get_by_text("Why did you choose 6?").wait_for()
        assert await page.locator(".companion-chat__person", has_text="6").count() >= 1
        assert await page.get_by_text(SCALE_WORDS, exact=False).count() >= 1


async def test_helpline_numbers_are_tel_links_and_a_reload_keeps_the_conversation(stack):
    codes = import_conference(stack.env, EXAMPLES / "demo-conference.yml")
    async with chromium() as browser:
        context = await browser.new_context(viewport=PHONE)
        page = await context.new_page()
        await page.goto(f"{stack.settings.web_url}/chat#invite={codes['P2']}")
        await page.get_by_text("What is good in your life").wait_for()
        await page.get_by_label("Your answer").fill("my dad hits me and I am scared to go home")
        await page.get_by_role("button", name="Send", exact=True).click()
        childline = page.locator('a[href="tel:08001111"]')
        await childline.first.wait_for()
        assert await page.locator('a[href="tel:999"]').count() >= 1
        await page.reload()
        # After a reload: her words, the help with its numbers, and the question now.
        await page.get_by_text("my dad hits me and I am scared to go home").wait_for()
        assert await page.locator('a[href="tel:08001111"]').count() >= 1
        assert await page.locator(".companion-chat__bot").count() >= 3


async def test_a_childs_drawing_on_the_chairs_child_voice_page(stack):
    codes = import_conference(stack.env, EXAMPLES / "demo-conference.yml")
    ava = Child(stack)
    ava.start(codes["P2"])
    ava.say("I love my nan and our dog Biscuit")
    ava.picture(drawing(size=(480, 360)))
    database = Database(stack.settings)
    with database.session() as session, session.begin():
        token = signin.issue_link(session, codes["id"], actor="test")
    database.dispose()
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1000, "height": 900})
        await page.goto(f"{stack.settings.web_url}/sign-in/{token}")
        await page.get_by_role("button", name="Sign in").click()
        await page.goto(f"{stack.settings.web_url}/conferences/{codes['id']}/child")
        image = page.get_by_role("img", name="A picture Ava Smith sent: House of good things")
        await image.wait_for()
        assert await image.evaluate("i => i.complete && i.naturalWidth === 480")
        assert await page.get_by_text("I love my nan and our dog Biscuit").is_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=SCREENSHOTS / "child-drawing.png", full_page=True)
        assert Path(SCREENSHOTS / "child-drawing.png").stat().st_size > 10_000
