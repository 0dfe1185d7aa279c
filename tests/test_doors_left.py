"""The doors left after test_open_doors: a message too long for Rasa sent to its REST
webhook directly, a body over the web app's limit, a body that never finishes, and crafted
input on every route, each refused plainly and never a 500."""

from __future__ import annotations

import asyncio
import time

import pytest
import requests
from sqlalchemy import create_engine, text

from bot.model.database import migrate
from bot.settings import load_settings
from bot.typed import TOO_LONG
from bot.web.app import create_app
from bot.web.bodies import BODY_MAX_BYTES
from tests import test_chair_pages as pages
from tests.conftest import environment_for

# The chair pages' fixtures: a signed-in chair's browser on an app behind http://localhost.
env, settings, client = pages.env, pages.settings, pages.client
conference, chair = pages.conference, pages.chair


def test_a_message_too_long_sent_to_rasa_directly_is_refused_kindly_unread(stack):
    url = f"{stack.settings.rasa_url}/webhooks/rest/webhook"
    limit = stack.settings.message_max_chars
    for message in ("/start " + "x" * limit, "my dad hits me " * 400):
        refused = requests.post(url, json={"sender": "doors:long", "message": message}, timeout=60)
        assert refused.status_code == 413
        assert refused.json() == [{"recipient_id": "doors:long", "text": TOO_LONG}]
    assert _events(stack, "doors:long") == 0  # nothing was read: not even a conversation
    answered = requests.post(url, json={"sender": "doors:long", "message": "x" * limit}, timeout=60)
    assert answered.status_code == 200 and TOO_LONG not in answered.text
    assert _events(stack, "doors:long") > 0


@pytest.mark.parametrize(
    "body",
    [[1, 2], "hello", {"sender": "doors:shape", "message": 5},
     {"sender": "doors:shape", "message": ["a"]}, {"sender": 5, "message": "hi"},
     {"message": "hi"}, {"sender": "x" * 300, "message": "hi"}],
)  # fmt: skip
def test_a_body_that_is_not_a_message_is_a_bad_request_at_rasa(stack, body):
    url = f"{stack.settings.rasa_url}/webhooks/rest/webhook"
    refused = requests.post(url, json=body, timeout=60)
    assert refused.status_code == 400 and "sender" in refused.json()["error"]


def _events(stack, sender: str) -> int:
    """Rasa's events for this sender, in its tracker store."""
    engine = create_engine(stack.settings.tracker_store_url)
    with engine.connect() as connection:
        count = connection.execute(
            text("SELECT count(*) FROM encrypted_events WHERE sender_id = :sender"),
            {"sender": sender},
        ).scalar()
    engine.dispose()
    return count


BODY_SECONDS = 1.0


@pytest.fixture
async def web(aiohttp_client, tmp_path):
    """The web app on loopback (a real server: raw sockets reach it), bodies timed at 1 s."""
    env = environment_for(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'companion.db'}",
        COMPANION_BODY_TIMEOUT_SECONDS=str(BODY_SECONDS),
    )
    migrate(env["DATABASE_URL"])
    return await aiohttp_client(create_app(load_settings(env)))


TOO_MUCH = "x" * (BODY_MAX_BYTES + 1)


@pytest.mark.parametrize("path", ["/chat/start", "/chat/say", "/sign-in"])
async def test_a_body_over_the_limit_gets_a_page_in_the_house_style(web, path):
    response = await web.post(path, data={"message": TOO_MUCH, "code": TOO_MUCH})
    page = await response.text()
    assert response.status == 413 and response.content_type == "text/html"
    assert "That was too much to send in one go" in page and "govuk-template" in page
    assert "Maximum request body size" not in page
    assert "Content-Security-Policy" in response.headers


async def test_a_body_over_the_limit_from_a_json_client_gets_json(web):
    fetched = await web.post(
        "/chat/say", data={"message": TOO_MUCH}, headers={"Accept": "application/json"}
    )
    assert fetched.status == 413
    assert (await fetched.json())["error"].startswith("That was too much to send")


async def _half_a_body(web, path: str, accept: str = "text/html") -> tuple[bytes, float]:
    """Headers saying 1000 bytes, then 500 of them, then silence: what the server does."""
    reader, writer = await asyncio.open_connection(web.server.host, web.server.port)
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nAccept: {accept}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 1000\r\n\r\n".encode()
        + b"a" * 500
    )
    await writer.drain()
    started = time.monotonic()
    try:
        answer = await asyncio.wait_for(reader.read(), BODY_SECONDS + 10)  # read() ends at close
    finally:
        writer.close()
    return answer, time.monotonic() - started


@pytest.mark.parametrize("path", ["/chat/start", "/sign-in", "/conferences/x/decision"])
async def test_a_body_that_never_finishes_is_closed_within_the_limit(web, path):
    answer, waited = await _half_a_body(web, path)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"That took too long to arrive" in answer
    assert waited < BODY_SECONDS + 3


async def test_a_json_body_that_never_finishes_is_answered_in_json(web):
    answer, _ = await _half_a_body(web, "/chat/say", "application/json")  # chat.js
    assert answer.startswith(b"HTTP/1.1 408") and b'"error": "That took too long' in answer


async def test_a_body_in_time_is_read_as_ever(web):
    response = await web.post("/chat/start", data={"code": "not-a-code"})
    assert response.status in (200, 400, 503)  # Rasa is not running here: never 408 or 413


PART = b'--zz\r\nContent-Disposition: form-data; name="csrf"\r\n%s\r\n\r\nx\r\n--zz--\r\n'
NOT_A_FORM = [
    ("application/x-www-form-urlencoded", b"csrf=x&\xff\xfe=\xff\xfe"),  # not UTF-8
    ("multipart/form-data; boundary=zz", b"--zz\r\nbroken"),  # a part with no headers
    ("multipart/form-data; boundary=zz", b"no boundary at all"),
    ("multipart/form-data", b"--\r\n"),  # no boundary given
    ("application/x-www-form-urlencoded; charset=no-such", b"csrf=x"),  # a charset unknown
    ("multipart/form-data; boundary=zz", PART % b"Content-Type: text/plain; charset=no-such"),
    ("multipart/form-data; boundary=zz", PART % b"Content-Transfer-Encoding: no-such"),
]


async def test_a_chairs_form_that_cannot_be_read_is_a_bad_request(chair):
    for path in ("/decision", "/edits", "/alerts/read", "/approve", "/release"):
        for content_type, body in NOT_A_FORM:
            headers = {**chair.headers, "Content-Type": content_type}
            response = await chair.client.post(chair.base + path, data=body, headers=headers)
            assert response.status == 400, (path, body)
            assert "That form could not be read" in await response.text()
    assert (await chair.summary())["decision"] is None


async def test_an_open_form_that_cannot_be_read_is_a_bad_request(web):
    for path in ("/sign-in", "/chat/start", "/chat/say"):
        for content_type, body in NOT_A_FORM:
            response = await web.post(path, data=body, headers={"Content-Type": content_type})
            assert response.status == 400, (path, body)
            assert "That form could not be read" in await response.text()
