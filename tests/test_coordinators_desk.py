"""The coordinator's desk from end to end, as the issue's "done when" says, on the running
service in a real browser (Debian's Chromium through tests/browser.py): from `companion
staff add`, a coordinator sets up a review conference two days away on the pages for a
family of two children with five participants and sends every invite; the (fake) GOV.UK
Notify receives one message per contact, each with a link that starts that person's chat;
`companion reminders --dry-run` names everyone who has not finished; the chair signs in
with her own link and finds the conference among hers."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.model.database import Database
from bot.model.tables import Invite, Participant
from tests import fake_notify as fake
from tests.browser import chromium
from tests.test_staff import companion

UK = ZoneInfo("Europe/London")


def people(tag: str) -> list[tuple]:
    """name, role on the form, agency, email, mobile: unique to this run (the stack is shared)"""
    run = f"{int(tag, 16) % 1000:03d}"
    return [
        ("Kelly Smith", "Parent or carer", "", f"kelly.{tag}@example.com", f"077009{run}01"),
        ("Ava Smith", "Child or young person", "", "", f"077009{run}02"),
        ("Sue Smith", "Family or network member", "", f"sue.{tag}@example.com", ""),
        ("Jo Brown", "Social worker", "Children's Social Care", f"jo.{tag}@example.gov.uk", ""),
        ("Dr Amy Lee", "Professional", "GP practice", f"amy.{tag}@example.nhs.uk", ""),
    ]


def link_in(sign_in_output: str) -> str:
    return re.search(r"\S+/staff/sign-in/\S+", sign_in_output).group(0)


async def sent_to(fake_notify, contacts: set[str], wait: float = 60) -> list[dict]:
    """The messages the service itself sent to these contacts, once each has one; not the
    reminders it goes on to send them (the conference is two days away)."""
    reminding = {fake.REMINDER_EMAIL_TEMPLATE, fake.REMINDER_SMS_TEMPLATE}
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = [
            message
            for message in fake_notify.received
            if {message.get("email_address"), message.get("phone_number")} & contacts
            and message["template_id"] not in reminding
        ]
        if {message.get("email_address") or message.get("phone_number") for message in found} >= (
            contacts
        ):
            return found
        await asyncio.sleep(0.25)
    raise AssertionError(f"not every contact was sent an invite in {wait} s")


async def test_a_coordinator_sets_up_a_review_invites_everyone_and_the_chair_finds_it(
    stack, fake_notify
):
    tag = uuid.uuid4().hex[:8]
    family = people(tag)
    coordinator_email, chair_email = f"priya.{tag}@example.gov.uk", f"rosa.{tag}@example.gov.uk"
    companion(stack.env, "staff", "add", "--name", "Priya Shah", "--email", coordinator_email,
              "--role", "coordinator")  # fmt: skip
    companion(stack.env, "staff", "add", "--name", f"Rosa Quinn {tag}", "--email", chair_email,
              "--role", "chair")  # fmt: skip
    site, public = stack.settings.web_url, stack.settings.public_url
    coordinator_link = link_in(companion(stack.env, "staff", "link", coordinator_email).stdout)
    day = (datetime.now(UK) + timedelta(days=2)).date()

    async with chromium() as browser:
        page = await (await browser.new_context()).new_page()
        await page.goto(coordinator_link.replace(public, site))
        await page.get_by_role("button", name="Sign in").click()
        await page.locator('a[href="/conferences/new"]').click()  # from the list
        await page.get_by_label("Review child protection conference").check()
        await page.locator("#date-day").fill(str(day.day))
        await page.locator("#date-month").fill(str(day.month))
        await page.locator("#date-year").fill(str(day.year))
        await page.get_by_label("Time").fill("10am")
        await page.get_by_label("Local authority").fill("Northfield Borough Council")
        for key, name, age in (("A", "Ava", "9"), ("B", "Leo", "4")):
            await page.locator(f"#child-{key}-name").fill(name)
            await page.locator(f"#child-{key}-age").fill(age)
        await page.locator("#statement-D1-danger").fill(
            "Ava and Leo could be hurt when mum and dad argue and hit each other."
        )
        await page.locator("#statement-D1-safety_goal").fill(
            "Arguments at home never turn into hitting, and Ava and Leo are safe."
        )
        await page.locator("#statement-D1-children").check()
        await page.locator("#statement-D1-children-2").check()
        for number, (name, role, agency, email, mobile) in enumerate(family, 1):
            box = f"#participant-P{number}-"
            await page.locator(box + "name").fill(name)
            await page.locator(box + "role").select_option(label=role)
            await page.locator(box + "agency").fill(agency)
            await page.locator(box + "email").fill(email)
            await page.locator(box + "phone").fill(mobile)
            if role == "Child or young person":
                await page.locator(box + "child").select_option(label="Child 1")
        await page.get_by_label("Conference chair").select_option(label=f"Rosa Quinn {tag}")
        await page.get_by_role("button", name="Set up the conference").click()
        await page.wait_for_url(re.compile(r"/conferences/[0-9a-f-]+/invites$"))
        conference_id = page.url.split("/")[-2]

        await page.get_by_role("button", name="Send every invite not yet sent").click()
        contacts = {contact for person in family for contact in person[3:5] if contact}
        assert len(contacts) == 6
        messages = await sent_to(fake_notify, contacts)
        # One message per contact: an email to each address, a text to each mobile.
        assert sorted(m.get("email_address") or m.get("phone_number") for m in messages) == (
            sorted(contacts)
        )
        assert {m["template_id"] for m in messages} == {
            fake.INVITE_EMAIL_TEMPLATE,
            fake.INVITE_SMS_TEMPLATE,
        }
        # Each link opens that person's own chat.
        for message in messages:
            link = message["personalisation"]["web_link"]
            assert link.startswith(f"{public}/chat#invite=")
            person = await (await browser.new_context()).new_page()
            await person.goto(link.replace(public, site))
            await person.wait_for_function("!location.hash.includes('invite')")
            await person.get_by_text(message["personalisation"]["name"].split()[0]).first.wait_for()
            await person.context.close()

    database = Database(stack.settings)
    try:
        with database.session() as session:
            participants = session.execute(
                select(Participant).where(Participant.conference_id == conference_id)
            ).scalars()
            asked = {p.name: p.id for p in participants if p.role != "chair"}
            bound = session.execute(
                select(Invite.participant_id).where(
                    Invite.participant_id.in_(asked.values()), Invite.bound_at.is_not(None)
                )
            ).scalars()
            assert set(bound) == set(asked.values())  # every link started its own chat
    finally:
        database.dispose()

    # Two days away, nobody has finished: the dry run names each of them.
    listed = companion(stack.env, "reminders", "--dry-run").stdout
    for name in asked:
        assert re.search(rf"^{re.escape(name)} \(.*{day.day} ", listed, re.MULTILINE), name
    assert "A dry run: nothing was sent." in listed

    # The chair signs in with her own link and finds the conference among hers.
    chair_link = link_in(companion(stack.env, "staff", "link", chair_email).stdout)
    async with chromium() as browser:
        page = await (await browser.new_context()).new_page()
        await page.goto(chair_link.replace(public, site))
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(f"{site}/conferences")
        await page.locator(f'a[href="/conferences/{conference_id}"]').click()
        await page.get_by_role("heading", name="Who has answered").wait_for()
