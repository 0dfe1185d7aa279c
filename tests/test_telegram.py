"""The Telegram bridge through the real stack: updates posted to the web app's webhook as
Telegram would, a real Rasa behind it, and python-telegram-bot talking to a local fake
Bot API (tests/fake_telegram.py)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from bot.cli import main
from bot.codes import hash_code
from bot.model.database import Database
from bot.model.tables import Invite, TelegramUpdate, utcnow
from bot.settings import load_settings
from bot.telegram.bridge import split_text
from bot.web.telegram import build_application, release_update, send_replies, take_update
from tests.conftest import EXAMPLES, environment_for, import_conference
from tests.fake_telegram import SECRET

UPDATE_IDS = itertools.count(int(time.time()))
CHAT_IDS = itertools.count(7_000_000)


@pytest.fixture
def codes(stack):
    return import_conference(stack.env, EXAMPLES / "demo-conference.yml")


class TelegramUser:
    def __init__(self, stack, fake_telegram):
        self.url = f"{stack.settings.web_url}/telegram/webhook"
        self.fake = fake_telegram
        self.chat_id = next(CHAT_IDS)
        self.seen = len(fake_telegram.calls)

    def post(self, update: dict, secret: str = SECRET) -> requests.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        return requests.post(self.url, json=update, headers=headers, timeout=60)

    def _user(self) -> dict:
        return {"id": self.chat_id, "is_bot": False, "first_name": "Kelly"}

    def message(self, chat_type="private", **content) -> dict:
        return {
            "update_id": next(UPDATE_IDS),
            "message": {
                "message_id": next(UPDATE_IDS),
                "date": int(time.time()),
                "chat": {"id": self.chat_id, "type": chat_type},
                "from": self._user(),
                **content,
            },
        }

    def says(self, text: str) -> list[dict]:
        assert self.post(self.message(text=text)).status_code == 200
        return self.replies()

    def taps(self, position: int, on: dict) -> list[dict]:
        """Tap a button of the message `on` (a reply with a keyboard)."""
        update = {
            "update_id": next(UPDATE_IDS),
            "callback_query": {
                "id": str(next(UPDATE_IDS)),
                "from": self._user(),
                "chat_instance": "1",
                "data": str(position),
                "message": {
                    "message_id": on["_message_id"],
                    "date": int(time.time()),
                    "chat": {"id": self.chat_id, "type": "private"},
                    "text": "the question",
                },
            },
        }
        assert self.post(update).status_code == 200
        return self.replies()

    def replies(self) -> list[dict]:
        new = self.fake.sent(self.chat_id, self.seen)
        self.seen = len(self.fake.calls)
        return new


def texts(replies: list[dict]) -> str:
    return "\n".join(reply["text"] for reply in replies)


def buttons(replies: list[dict]) -> list[list[str]]:
    markup = replies[-1].get("reply_markup") or {}
    return [[key["text"] for key in row] for row in markup.get("inline_keyboard", [])]


def test_a_deep_link_binds_the_chat_and_taps_answer(stack, fake_telegram, codes):
    kelly = TelegramUser(stack, fake_telegram)
    welcome = kelly.says(f"/start {codes['P1']}")
    assert "Hello Kelly" in texts(welcome)
    assert buttons(welcome) == [["Yes"], ["Partly"], ["No"]]

    before = len(fake_telegram.calls)
    after_tap = kelly.taps(1, on=welcome[-1])  # Partly
    methods = [method for method, _ in fake_telegram.calls[before:]]
    assert "answerCallbackQuery" in methods and "editMessageReplyMarkup" in methods
    assert "Did someone go through the reports with you?" in texts(after_tap)
    before = len(fake_telegram.calls)
    typed = kelly.says("yes the social worker did")
    assert "questions about the reports" in texts(typed)
    tidied = [p for m, p in fake_telegram.calls[before:] if m == "editMessageReplyMarkup"]
    assert [p["message_id"] for p in tidied] == [after_tap[-1]["_message_id"]]

    # A tap on an old question's keyboard answers nothing.
    stale = kelly.taps(0, on=welcome[-1])
    assert texts(stale).startswith("Those buttons are from an earlier question")

    database = Database(stack.settings)
    with database.session() as session:
        sender = session.execute(
            select(Invite.bound_sender).where(Invite.code_hash == hash_code(codes["P1"]))
        ).scalar_one()
    database.dispose()
    assert sender.startswith("tg:") and str(kelly.chat_id) not in sender


def test_a_second_account_with_the_same_code_is_refused_kindly(stack, fake_telegram, codes):
    TelegramUser(stack, fake_telegram).says(f"/start {codes['P3']}")
    other = TelegramUser(stack, fake_telegram)
    assert "already been used in another chat" in texts(other.says(f"/start {codes['P3']}"))
    stranger = TelegramUser(stack, fake_telegram)
    assert "invite" in texts(stranger.says("hello"))


def test_a_group_chat_is_asked_to_message_directly(stack, fake_telegram, codes):
    group = TelegramUser(stack, fake_telegram)
    update = group.message(chat_type="group", text=f"/start {codes['P1']}")
    assert group.post(update).status_code == 200
    assert texts(group.replies()).startswith("Please message me directly, not in a group")
    # The code was never passed on: it still opens Kelly's chat.
    assert "Hello Kelly" in texts(TelegramUser(stack, fake_telegram).says(f"/start {codes['P1']}"))


def test_a_forged_secret_is_refused_and_nothing_is_sent(stack, fake_telegram, codes):
    user = TelegramUser(stack, fake_telegram)
    before = len(fake_telegram.calls)
    assert user.post(user.message(text=f"/start {codes['P1']}"), secret="wrong").status_code == 401
    assert user.post(user.message(text="hello"), secret="").status_code == 401
    assert fake_telegram.calls[before:] == []


def test_an_update_delivered_twice_is_answered_once(stack, fake_telegram, codes):
    user = TelegramUser(stack, fake_telegram)
    update = user.message(text=f"/start {codes['P4']}")
    assert user.post(update).status_code == 200
    first = user.replies()
    assert user.post(update).status_code == 200
    assert first and user.replies() == []


@pytest.mark.parametrize(
    "content",
    [
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 2}},
        {"location": {"latitude": 51.5, "longitude": -0.1}},
        {"contact": {"phone_number": "07700900123", "first_name": "Nan"}},
    ],
)
def test_what_is_not_words_gets_a_friendly_reply(stack, fake_telegram, codes, content):
    user = TelegramUser(stack, fake_telegram)
    user.says(f"/start {codes['P1']}")
    assert user.post(user.message(**content)).status_code == 200
    assert texts(user.replies()) == (
        "I can only read typed words. Please type your answer, or tap one of the buttons."
    )


def test_long_text_is_sent_in_parts_within_telegrams_limit():
    words = ("A long reply about the week at school and home. " * 200).strip()
    parts = split_text(words)
    assert len(parts) == 3 and all(len(part) <= 4096 for part in parts)
    assert " ".join(parts) == words
    assert split_text("x" * 5000) == ["x" * 4096, "x" * 904]


def test_companion_telegram_set_webhook_registers_the_secret(
    fake_telegram, tmp_path, monkeypatch, capsys
):
    env = {
        **environment_for(tmp_path),
        **fake_telegram.environment(),
        "COMPANION_PUBLIC_URL": "https://companion.example.gov.uk",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    before = len(fake_telegram.calls)
    assert main(["telegram", "set-webhook"]) == 0
    assert "https://companion.example.gov.uk/telegram/webhook" in capsys.readouterr().out
    registered = [
        params for method, params in fake_telegram.calls[before:] if method == "setWebhook"
    ]
    assert registered == [
        {
            "url": "https://companion.example.gov.uk/telegram/webhook",
            "secret_token": SECRET,
            "allowed_updates": ["message", "callback_query"],
        }
    ]
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "too-short")
    assert main(["telegram", "set-webhook"]) == 2
    assert "32 characters or more" in capsys.readouterr().err


def test_an_update_is_handled_by_one_delivery_at_a_time(database):
    """Taken once; a second delivery while the first is at work is asked to come back
    later; once done, it is answered as handled; one abandoned by a dead process is taken
    again; ids older than Telegram's retries are forgotten."""
    assert take_update(database, 1) is True
    assert take_update(database, 1) == "busy"
    with database.session() as session, session.begin():
        release_update(session, 1, done=True)
    assert take_update(database, 1) == "done"

    assert take_update(database, 2) is True
    with database.session() as session, session.begin():
        session.get(TelegramUpdate, 2).received_at = utcnow() - timedelta(minutes=3)
        session.add(TelegramUpdate(update_id=3, received_at=utcnow() - timedelta(days=3)))
    assert take_update(database, 2) is True  # abandoned: handled again
    assert take_update(database, 4) is True
    with database.session() as session:
        assert session.get(TelegramUpdate, 3) is None

    with database.session() as session, session.begin():
        release_update(session, 4, done=False)  # failed before Rasa had it: given back
    assert take_update(database, 4) is True


async def test_a_long_reply_goes_in_parts_with_the_buttons_on_the_last(fake_telegram, tmp_path):
    """Through python-telegram-bot to the fake Bot API: 9,000 characters in three
    messages, and the 0-10 keyboard, in two rows, only under the last."""
    settings = load_settings({**environment_for(tmp_path), **fake_telegram.environment()})
    chat_id = next(CHAT_IDS)
    long_text = ("Here is everything you told me so far, to read back. " * 170).strip()
    scale = [{"title": str(n), "payload": str(n)} for n in range(11)]
    before = len(fake_telegram.calls)
    async with build_application(settings).bot as bot:
        await send_replies(bot, chat_id, [{"text": long_text, "buttons": scale}])
    sent = fake_telegram.sent(chat_id, before)
    assert len(sent) == 3 and all(len(message["text"]) <= 4096 for message in sent)
    assert " ".join(message["text"] for message in sent) == long_text
    assert [message.get("reply_markup") is None for message in sent] == [True, True, False]
    assert buttons(sent) == [["0", "1", "2", "3", "4", "5"], ["6", "7", "8", "9", "10"]]


async def test_telegram_starts_once_its_api_answers_without_a_restart(
    tmp_path, aiohttp_client, caplog
):
    """Telegram's Bot API does not answer when the web app starts: the web app starts all
    the same, and the bot starts in the background once Telegram answers."""
    from bot.model.database import migrate
    from bot.web.app import create_app
    from bot.web.keys import TELEGRAM
    from bot.web.telegram import SECRET_HEADER
    from tests.fake_telegram import FakeTelegram

    fake = FakeTelegram()  # its port chosen; nothing listens there yet
    settings = load_settings({**environment_for(tmp_path), **fake.environment()})
    migrate(settings.database_url)
    caplog.set_level(logging.INFO, "companion.telegram")
    client = await aiohttp_client(create_app(settings))
    forged = {"json": {"update_id": 1}, "headers": {SECRET_HEADER: "not the secret"}}
    try:
        assert (await client.get("/healthz")).status == 200
        assert client.app[TELEGRAM] is None
        assert (await client.post("/telegram/webhook", **forged)).status == 404  # no bot yet
        await asyncio.sleep(1.5)
        fake.start()
        for _ in range(100):
            if client.app[TELEGRAM] is not None:
                break
            await asyncio.sleep(0.1)
        assert client.app[TELEGRAM] is not None, caplog.text
        assert (await client.post("/telegram/webhook", **forged)).status == 401  # the bot's
        assert [method for method, _ in fake.calls] == ["getMe"]
    finally:
        await client.close()
        fake.stop()
    assert (
        "Telegram does not answer yet (NetworkError); trying again in 1 s. The web chat and "
        "the chair's pages work meanwhile." in caplog.text
    )
    assert "trying again in 2 s" in caplog.text
    assert "Telegram is on." in caplog.text


async def test_a_refused_bot_token_is_not_tried_again(tmp_path, aiohttp_client, caplog):
    from bot.model.database import migrate
    from bot.web.app import create_app
    from bot.web.keys import TELEGRAM
    from tests.fake_telegram import FakeTelegram

    fake = FakeTelegram().start()
    env = {**environment_for(tmp_path), **fake.environment(), "TELEGRAM_BOT_TOKEN": "9:WRONG"}
    settings = load_settings(env)
    migrate(settings.database_url)
    caplog.set_level(logging.INFO, "companion.telegram")
    client = await aiohttp_client(create_app(settings))
    try:
        await asyncio.sleep(1.5)
        assert (await client.get("/healthz")).status == 200
        assert client.app[TELEGRAM] is None
    finally:
        await client.close()
        fake.stop()
    assert "Telegram is off: the bot could not start (InvalidToken)." in caplog.text
    assert "trying again" not in caplog.text
