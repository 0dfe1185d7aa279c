"""The web app's doors, each tried as an attacker would: error responses carry the pages'
security headers, another site cannot post the sign-in form, crafted input gets a 400
(never a 500), a file cannot pose as a chat message, and a message too long for the bot is
refused kindly before it reaches Rasa."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest
import requests
from sqlalchemy import func, select

from bot.model.database import Database
from bot.model.tables import Answer
from bot.settings import load_settings
from bot.web.app import create_app
from tests import test_chair_pages as pages
from tests.conftest import EXAMPLES, environment_for, import_conference
from tests.fake_telegram import SECRET
from tests.test_telegram import TelegramUser, texts
from tests.test_web_chat import Browser

# The chair pages' fixtures: an app behind http://localhost and its client.
env, settings, client = pages.env, pages.settings, pages.client
conference, chair = pages.conference, pages.chair

TOO_LONG = "That message is too long for me. Please send it in shorter parts."
HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")


async def _boom(request):
    raise RuntimeError("a handler's bug")


@pytest.fixture
async def https_client(aiohttp_client, tmp_path, database_url):
    """The app behind an https public address, with one route that fails as a bug would."""
    app_settings = load_settings(
        environment_for(
            tmp_path, DATABASE_URL=database_url, COMPANION_PUBLIC_URL="https://companion.example"
        )
    )
    app = create_app(app_settings)
    app.router.add_get("/boom", _boom)
    return await aiohttp_client(app)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/", 200), ("GET", "/no-such-page", 404), ("DELETE", "/", 405), ("GET", "/boom", 500)],
)
async def test_every_response_has_the_headers_and_no_versions(https_client, method, path, status):
    response = await https_client.request(method, path)
    assert response.status == status
    for name in HEADERS:
        assert name in response.headers, (name, path)
    assert response.headers["Server"] == "Conference Companion"
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


async def test_no_hsts_on_plain_http(client):
    response = await client.get("/no-such-page")
    assert response.status == 404 and "Content-Security-Policy" in response.headers
    assert "Strict-Transport-Security" not in response.headers


async def test_another_site_cannot_post_the_sign_in_form(client, database, conference):
    token = pages.new_link(database, conference)
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        refused = await client.post(
            "/sign-in", data={"token": token}, headers=headers, allow_redirects=False
        )
        assert refused.status == 403 and "companion_chair" not in refused.cookies
    ours = await client.post("/sign-in", data={"token": token}, allow_redirects=False)
    assert ours.status == 303  # the link was not used up by the refused posts


async def test_another_site_cannot_post_a_chairs_form_even_with_its_token(chair):
    data = pages.MultiDict(pages.decision_with())
    data["csrf"] = await chair.csrf()
    headers = {**chair.headers, "Origin": "https://evil.example"}
    refused = await chair.client.post(
        chair.base + "/decision", data=data, headers=headers, allow_redirects=False
    )
    assert refused.status == 400
    assert (await chair.summary())["decision"] is None


@pytest.mark.parametrize("number", ["²", "١", "9" * 30, "-1", ""])
async def test_a_crafted_version_number_is_a_bad_request(chair, number):
    response = await chair.get(f"/version?number={number}")
    assert response.status == 400
    assert "written in digits" in await response.text()


@pytest.mark.parametrize("part", ["day", "month", "year"])
async def test_a_huge_core_group_date_is_the_fields_error(chair, part):
    form = pages.decision_with(**{f"core_group_date-{part}": "9" * 30})
    response = await chair.post("/decision", form)
    assert response.status < 500
    assert "Enter a real date for" in await response.text()
    assert (await chair.summary())["decision"] is None


@pytest.mark.parametrize(
    "body",
    [
        "null",
        "[1,2,3]",
        '"words"',
        "42",
        '{"update_id": "x"}',
        '{"update_id": 7, "message": 5}',  # a message that is no message
        '{"update_id": 8, "edited_message": "words"}',
        '{"update_id": 1000000000000000000000000000000}',  # no 64-bit number
        '{"update_id": true}',
    ],
)
def test_a_telegram_body_that_is_not_an_update_is_a_bad_request(stack, body):
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    url = f"{stack.settings.web_url}/telegram/webhook"
    response = requests.post(url, data=body, headers=headers, timeout=60)
    assert response.status_code == 400


def _answers(stack) -> int:
    database = Database(stack.settings)
    with database.session() as session:
        count = session.scalar(select(func.count()).select_from(Answer))
    database.dispose()
    return count


@pytest.fixture
def codes(stack):
    return import_conference(stack.env, EXAMPLES / "demo-conference.yml")


def test_a_file_posted_as_the_message_is_refused(stack, codes):
    browser = Browser(stack)
    browser.start(codes["P1"])
    before = _answers(stack)
    for name in ("csrf", "message"):  # either field sent as a file
        words = {"csrf": browser.csrf(), "message": "No"}
        words.pop(name)
        refused = browser.http.post(
            f"{browser.base}/chat/say",
            data=words,
            files={name: ("note.txt", b"No")},
            timeout=60,
        )
        assert refused.status_code == 400 and "FileField" not in refused.text
    assert "Please type your answer in the box. A file cannot be sent here." in refused.text
    assert _answers(stack) == before
    assert "Have you seen the reports" in browser.get().text
    coded = requests.post(
        f"{browser.base}/chat/start", files={"code": ("code.txt", b"x")}, timeout=60
    )
    assert coded.status_code == 400 and "companion_chat" not in coded.cookies


async def test_a_file_in_a_chairs_form_is_refused(chair):
    form = aiohttp.FormData(pages.decision_with())
    form.add_field("csrf", await chair.csrf())
    form.add_field("rationale", b"words", filename="reasons.txt")
    refused = await chair.client.post(
        chair.base + "/decision", data=form, headers=chair.headers, allow_redirects=False
    )
    assert refused.status == 400 and "words only" in await refused.text()
    assert (await chair.summary())["decision"] is None


def test_a_message_too_long_is_kept_in_the_box_and_not_sent(stack, codes):
    browser = Browser(stack)
    browser.start(codes["P1"])
    before = _answers(stack)
    long = "I have a lot to say. " * 300  # 6,300 characters
    refused = browser.say(long)
    assert refused.status_code == 400 and TOO_LONG in refused.text
    assert long.strip() in refused.text  # still in the box: nothing lost
    fetched = browser.say(long, Accept="application/json")
    assert fetched.status_code == 400 and fetched.json()["error"] == TOO_LONG
    assert _answers(stack) == before
    assert "Have you seen the reports" in browser.get().text


def test_a_telegram_message_too_long_is_answered_kindly(stack, fake_telegram, codes):
    user = TelegramUser(stack, fake_telegram)
    user.says(f"/start {codes['P1']}")
    before = _answers(stack)
    assert texts(user.says("No. " * 1100)) == TOO_LONG
    assert _answers(stack) == before


async def test_health_does_not_tell_the_databases_address_or_password(
    aiohttp_client, tmp_path, caplog
):
    """A database that does not answer: 503 "unavailable", and the driver's error (which
    names the host, the user and sometimes more) stays in the log."""
    url = "postgresql+psycopg://companion:hunter2secret@127.0.0.1:1/companion"
    app = create_app(load_settings(environment_for(tmp_path, DATABASE_URL=url)))
    with caplog.at_level("WARNING", logger="companion.web"):
        response = await (await aiohttp_client(app)).get("/healthz")
    body = await response.text()
    assert response.status == 503
    assert "the database does not answer" in body
    assert "hunter2secret" not in body and "127.0.0.1" not in body and "companion@" not in body
    [logged] = [r.getMessage() for r in caplog.records if r.name == "companion.web"]
    assert "127.0.0.1" in logged and "port 1" in logged  # why, for whoever runs it
    assert "hunter2secret" not in logged


async def test_a_database_that_never_answers_holds_up_nothing_else(aiohttp_client, tmp_path):
    """A database host that takes the connection and then says nothing: /healthz gives up
    (503) after the connect timeout, and the pages answer meanwhile."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    port = silent.getsockname()[1]
    url = f"postgresql+psycopg://companion@127.0.0.1:{port}/companion"
    app = create_app(load_settings(environment_for(tmp_path, DATABASE_URL=url)))
    client = await aiohttp_client(app)
    try:
        health = asyncio.create_task(client.get("/healthz"))
        await asyncio.sleep(0.5)
        front = await asyncio.wait_for(client.get("/"), timeout=3)
        assert front.status == 200 and not health.done()
        assert (await asyncio.wait_for(health, timeout=30)).status == 503
    finally:
        silent.close()
