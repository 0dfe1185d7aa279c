"""The web chat through the real stack: the web app talks to a real Rasa for the browser,
with sender ids it makes itself. Plain forms (no JavaScript) here; the browser test is in
tests/test_web_chat_browser.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from bot.model.database import Database
from bot.model.tables import Invite, Participant, WebChat
from tests.conftest import EXAMPLES, import_conference


@pytest.fixture
def codes(stack):
    """A fresh demo conference for each test: {participant key: invite code}."""
    return import_conference(stack.env, EXAMPLES / "demo-conference.yml")


class Browser:
    """A browser without JavaScript: it follows redirects and keeps its cookies."""

    def __init__(self, stack):
        self.base = stack.settings.web_url
        self.http = requests.Session()

    def get(self, path="/chat") -> requests.Response:
        return self.http.get(self.base + path, timeout=60)

    def start(self, code: str) -> requests.Response:
        return self.http.post(f"{self.base}/chat/start", data={"code": code}, timeout=60)

    def csrf(self) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', self.get().text).group(1)

    def say(self, message: str, csrf: str | None = None, **headers) -> requests.Response:
        data = {"message": message, "csrf": self.csrf() if csrf is None else csrf}
        return self.http.post(f"{self.base}/chat/say", data=data, headers=headers, timeout=60)


def shown(response: requests.Response) -> str:
    """The chat's messages as the page shows them."""
    return " ".join(re.findall(r'companion-chat__bot">([^<]*)<', response.text))


def test_an_invite_opens_the_chat_and_typed_answers_go_on(stack, codes):
    browser = Browser(stack)
    first = browser.get()
    assert first.status_code == 200 and "The code from your invite" in first.text
    assert 'role="log"' in first.text and 'aria-live="polite"' in first.text

    opened = browser.start(codes["P1"])
    assert opened.status_code == 200 and opened.url.endswith("/chat")
    cookie = next(c for c in browser.http.cookies if c.name == "companion_chat")
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.expires
    assert "Hello Kelly" in shown(opened)
    assert "Have you seen the reports" in shown(opened)
    assert '<button class="govuk-button govuk-button--secondary" name="message" value="' in (
        opened.text
    )

    answered = browser.say("i've read some of them")
    assert "Did someone go through the reports with you?" in shown(answered)
    by_fetch = browser.say("yes my social worker did", Accept="application/json")
    assert by_fetch.status_code == 200
    assert "recipient_id" not in by_fetch.text  # Rasa's sender id never reaches a browser
    texts = [reply["text"] for reply in by_fetch.json()["replies"]]
    assert any("questions about the reports" in text for text in texts)


def test_a_reload_and_another_device_carry_on_at_the_same_question(stack, codes):
    phone = Browser(stack)
    phone.start(codes["P1"])
    phone.say("Yes")
    assert "Did someone go through the reports" in shown(phone.get())  # a reload
    laptop = Browser(stack)
    assert "Did someone go through the reports" in shown(laptop.start(codes["P1"]))


def test_a_childs_chat_opens_again_on_her_browser_but_not_on_another(stack, codes):
    ava = Browser(stack)
    ava.start(codes["P2"])
    question = shown(ava.get()).split(". ")[-1]
    ava.http.get(f"{ava.base}/chat/exit", allow_redirects=False, timeout=60)
    back = ava.start(codes["P2"])  # after Exit, with her code, on her own phone
    assert "companion_chat" in ava.http.cookies
    assert question in shown(back)
    second = Browser(stack)
    refused = second.start(codes["P2"])
    assert "already been used in another chat" in shown(refused)
    assert "companion_chat" not in second.http.cookies


def test_an_unknown_code_opens_nothing_and_says_whom_to_ask(stack):
    browser = Browser(stack)
    refused = browser.start("not-a-real-code-at-all")
    assert refused.status_code == 200
    assert "The code from your invite" in refused.text
    assert "companion_chat" not in browser.http.cookies
    empty = browser.start("   ")
    assert empty.status_code == 400 and "Type the code from your invite." in empty.text


def test_the_sender_is_ours_and_the_browser_cannot_choose_it(stack, codes):
    browser = Browser(stack)
    browser.start(codes["P3"])
    browser.http.post(
        f"{browser.base}/chat/say",
        data={"message": "Yes", "csrf": browser.csrf(), "sender": "test:someone-else"},
        timeout=60,
    )
    database = Database(stack.settings)
    with database.session() as session:
        invite = (
            session.execute(
                select(Invite)
                .join(Participant)
                .where(Participant.key == "P3")
                .order_by(Invite.id.desc())
            )
            .scalars()
            .first()
        )
        sender = invite.bound_sender
    database.dispose()
    assert re.fullmatch(r"web:[0-9a-f]{32}", sender)
    assert sender not in str(browser.http.cookies.get_dict())


def test_a_form_without_its_token_or_from_another_site_sends_nothing(stack, codes):
    browser = Browser(stack)
    browser.start(codes["P1"])
    refused = browser.say("No", csrf="forged")
    assert refused.status_code == 400 and "Your answer was not sent" in refused.text
    assert ">No</textarea>" in refused.text  # what they typed is still in the box
    elsewhere = browser.say("No", Origin="https://evil.example")
    assert elsewhere.status_code == 400
    assert "Have you seen the reports" in shown(browser.get())
    planted = requests.post(
        f"{browser.base}/chat/start",
        data={"code": codes["P4"]},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        timeout=60,
    )
    assert planted.status_code == 403 and "companion_chat" not in planted.cookies


def test_a_chat_closed_while_typing_keeps_the_words_and_says_why(stack, codes):
    browser = Browser(stack)
    browser.start(codes["P1"])
    csrf = browser.csrf()
    database = Database(stack.settings)
    with database.session() as session, session.begin():
        for chat in session.execute(select(WebChat)).scalars():
            chat.last_seen_at -= timedelta(minutes=31)
    database.dispose()
    closed = browser.say("we are doing better now", csrf=csrf)
    assert closed.status_code == 401
    assert "closed after 30 minutes without a message" in closed.text
    assert "we are doing better now" in closed.text


def test_exit_ends_the_chat_and_leaves_for_an_ordinary_site(stack, codes):
    browser = Browser(stack)
    browser.start(codes["P1"])
    old = browser.http.cookies["companion_chat"]
    left = browser.http.get(f"{browser.base}/chat/exit", allow_redirects=False, timeout=60)
    assert left.status_code == 303
    assert left.headers["Location"] == "https://www.bbc.co.uk/weather"
    assert "companion_chat" not in browser.http.cookies
    again = requests.get(f"{browser.base}/chat", cookies={"companion_chat": old}, timeout=60)
    assert "The code from your invite" in again.text
