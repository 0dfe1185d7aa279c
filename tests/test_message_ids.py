"""A message sent again after a failed request is not taken twice: the REST body's
`message_id`, the web chat form's, Telegram's update id. The same id from the same sender
gets the same replies and changes nothing; a message without an id works as before."""

from __future__ import annotations

import re
import uuid

import pytest
import requests
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from bot.codes import hash_code
from bot.model.database import Database
from bot.model.tables import Answer, Invite, TelegramUpdate, utcnow
from bot.web.telegram import ABANDONED
from tests.conftest import EXAMPLES, import_conference
from tests.test_telegram import TelegramUser, texts
from tests.test_web_chat import Browser, shown


@pytest.fixture
def codes(stack):
    return import_conference(stack.env, EXAMPLES / "demo-conference.yml")


@pytest.fixture
def stack_database(stack):
    database = Database(stack.settings)
    yield database
    database.dispose()


def rest(stack, sender: str, message: str, **extra) -> requests.Response:
    body = {"sender": sender, "message": message, **extra}
    return requests.post(f"{stack.settings.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)


def answers_of(database: Database, code: str) -> list[str]:
    """The live answers of the participant this invite code is for."""
    with database.session() as session:
        invite = session.scalars(select(Invite).where(Invite.code_hash == hash_code(code))).one()
        found = select(Answer.text).where(
            Answer.participant_id == invite.participant_id, Answer.superseded_at.is_(None)
        )
        return list(session.scalars(found.order_by(Answer.id)))


def test_a_repeated_rest_message_id_gets_the_same_replies_and_stores_nothing_twice(
    stack, codes, stack_database
):
    sender = f"rest-{uuid.uuid4().hex}"
    assert rest(stack, sender, f"/start {codes['P1']}", message_id="m1").status_code == 200
    first = rest(stack, sender, "I have read them twice now", message_id="m2")
    assert first.status_code == 200
    stored = answers_of(stack_database, codes["P1"])
    assert "I have read them twice now" in stored
    again = rest(stack, sender, "I have read them twice now", message_id="m2")
    assert again.status_code == 200 and again.json() == first.json()
    assert answers_of(stack_database, codes["P1"]) == stored

    # The next message answers the next question, as if the repeat had never come.
    following = rest(stack, sender, "no, nobody did", message_id="m3")
    assert following.json() != first.json()
    assert len(answers_of(stack_database, codes["P1"])) == len(stored) + 1
    # An id is the sender's own: another chat's "m3" is its own message.
    other = f"rest-{uuid.uuid4().hex}"
    assert "invite" in rest(stack, other, "hello", message_id="m3").text.lower()


def test_a_message_without_an_id_works_as_before(stack, codes, stack_database):
    sender = f"rest-{uuid.uuid4().hex}"
    assert rest(stack, sender, f"/start {codes['P1']}").status_code == 200
    replied = rest(stack, sender, "Some of them")
    assert replied.status_code == 200 and replied.json()
    assert answers_of(stack_database, codes["P1"]) == ["Partly"]  # the choice it means


@pytest.mark.parametrize("bad", [["a"], 1.5, "", "x" * 129, True, "tab\there"])
def test_a_message_id_that_is_not_one_is_refused(stack, bad):
    refused = rest(stack, f"rest-{uuid.uuid4().hex}", "hello", message_id=bad)
    assert refused.status_code == 400 and "message_id" in refused.json()["error"]


def test_the_web_chat_form_carries_a_message_id_and_a_resent_form_is_taken_once(
    stack, codes, stack_database
):
    browser = Browser(stack)
    page = browser.start(codes["P1"])
    ids = re.findall(r'name="message_id" value="([^"]+)"', page.text)
    assert len(ids) == 2 and len(set(ids)) == 1  # the answer box's form and the buttons'
    csrf = browser.csrf()
    form = {"message": "I read the police report", "csrf": csrf, "message_id": ids[0]}
    post = f"{browser.base}/chat/say"
    json_accept = {"Accept": "application/json"}
    first = browser.http.post(post, data=form, headers=json_accept, timeout=60)
    assert first.status_code == 200 and first.json()["message_id"] not in ids
    stored = answers_of(stack_database, codes["P1"])
    assert "I read the police report" in stored
    again = browser.http.post(post, data=form, headers=json_accept, timeout=60)
    assert again.json()["replies"] == first.json()["replies"]
    assert answers_of(stack_database, codes["P1"]) == stored
    # Other words with the same id (typed afresh after a failure) are a message of their own.
    other = {**form, "message": "nobody went through them with me"}
    browser.http.post(post, data=other, headers=json_accept, timeout=60)
    assert len(answers_of(stack_database, codes["P1"])) == len(stored) + 1
    # Without JavaScript, each page carries a new id.
    assert re.findall(r'name="message_id" value="([^"]+)"', browser.get().text)[0] not in ids
    assert "Did someone go through" not in shown(browser.get())


def test_a_telegram_update_handled_again_after_its_delivery_died_is_not_taken_twice(
    stack, fake_telegram, codes, stack_database
):
    kelly = TelegramUser(stack, fake_telegram)
    kelly.says(f"/start {codes['P1']}")
    update_ = kelly.message(text="I have read all of them")
    assert kelly.post(update_).status_code == 200
    first = kelly.replies()
    stored = answers_of(stack_database, codes["P1"])
    assert "I have read all of them" in stored
    # The delivery that took it died before saying it was done: after ABANDONED it is
    # taken again, and the message's id (the update id) makes it the same message.
    with stack_database.session() as session, session.begin():
        session.execute(
            update(TelegramUpdate)
            .where(TelegramUpdate.update_id == update_["update_id"])
            .values(done=False, received_at=utcnow() - ABANDONED * 2)
        )
    assert kelly.post(update_).status_code == 200
    assert texts(kelly.replies()) == texts(first)
    assert answers_of(stack_database, codes["P1"]) == stored


def test_a_message_is_recorded_once_and_records_go_after_a_day(database):
    from bot.model import handled_messages as handled

    with database.session() as session, session.begin():
        handled.record(session, "web:a", "old", {"replies": [], "joined": True})
        session.execute(
            update(handled.HandledMessage).values(handled_at=utcnow() - handled.KEEP * 2)
        )
    # an id whose record prunes (one in 32 do)
    pruning = next(f"m{n}" for n in range(2000) if int(handled._key("web:a", f"m{n}")[:2], 16) < 8)
    outcome = {"replies": [{"text": "What is working well?"}], "joined": True}
    with database.session() as session, session.begin():
        handled.record(session, "web:a", pruning, outcome)
    with database.session() as session:
        assert handled.handled(session, "web:a", "old") is None
        assert handled.handled(session, "web:a", pruning) == outcome
        assert handled.handled(session, "web:b", pruning) is None  # another sender's
        raw = session.execute(text("SELECT outcome FROM handled_message")).scalars().all()
    assert raw and not any("working well" in value for value in raw)  # encrypted at rest
    with pytest.raises(IntegrityError), database.session() as session, session.begin():
        handled.record(session, "web:a", pruning, outcome)
