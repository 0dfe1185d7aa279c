"""Telegram inside the web app: python-telegram-bot's Application, built with
`updater(None)` for the webhook (or polling, for local use), started in the app's
cleanup_ctx only when TELEGRAM_BOT_TOKEN is set.

The webhook answers 2xx only once Rasa has the message, so a failure before that is
retried by Telegram rather than lost; each update id is taken once, so a retry of a
delivered update is not answered twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import secrets
from datetime import timedelta

from aiohttp import web
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from telegram import Update
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, TypeHandler

from bot.agenda.loader import load_agenda
from bot.model.handled_messages import DATABASE_DOWN
from bot.model.tables import TelegramUpdate, utcnow
from bot.picture_sent import photo_hint, refusal, step_at, take_picture
from bot.pictures import PictureRefused, clean_picture, too_big
from bot.private_files import write_private
from bot.retries import CANT_SAVE
from bot.settings import Settings
from bot.telegram import bridge
from bot.web.keys import DATABASE, SETTINGS, TELEGRAM, TELEGRAM_KEY
from bot.web.rasa import TOO_LONG, CannotSave, say, too_long
from bot.web.transaction import in_transaction

log = logging.getLogger("companion.telegram")
ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SHORTEST_SECRET = 32
ABANDONED = timedelta(minutes=2)  # a delivery still "busy" this long ago died with its process
FORGET = timedelta(days=2)  # Telegram gives up on an update after 24 hours
FIRST_RETRY_SECONDS = 1.0  # while Telegram's Bot API does not answer at the start
LONGEST_RETRY_SECONDS = 60.0
FIRST_TRY_SECONDS = 15.0  # the web app's start waits this long at most for Telegram


def sender_key(settings: Settings) -> bytes:
    """The key of the chat id's hash: COMPANION_TELEGRAM_SENDER_KEY, or a key file made once
    (it must never change, or every Telegram chat would lose its conversation)."""
    given = os.environ.get("COMPANION_TELEGRAM_SENDER_KEY")
    if given:
        return given.encode()
    path = settings.var_dir / "telegram-sender.key"
    if not path.exists():
        try:
            write_private(path, secrets.token_hex(32).encode())
        except FileExistsError:
            pass  # made meanwhile by another process: that key stands
    return path.read_bytes().strip()


def build_application(settings: Settings) -> Application:
    builder = Application.builder().token(settings.telegram_bot_token)
    builder = builder.base_url(settings.telegram_base_url)
    # Files (a child's photo) from the same server: .../bot -> .../file/bot, as Telegram's.
    builder = builder.base_file_url(settings.telegram_base_url.removesuffix("bot") + "file/bot")
    if not settings.telegram_polling:
        builder = builder.updater(None)
    return builder.build()


async def telegram_bot(app: web.Application):
    """cleanup_ctx: Telegram runs only when a bot token is set."""
    settings = app[SETTINGS]
    if not settings.telegram_bot_token:
        app[TELEGRAM] = None
        yield
        return
    if not settings.telegram_polling and len(settings.telegram_webhook_secret or "") < (
        SHORTEST_SECRET
    ):
        raise RuntimeError(
            f"TELEGRAM_WEBHOOK_SECRET must be set, {SHORTEST_SECRET} characters or more "
            "(or TELEGRAM_MODE=polling for local use)."
        )
    application = build_application(settings)
    key = sender_key(settings)

    async def on_update(update: Update, _context) -> None:  # polling's way in
        await handle(app, key, update)

    async def on_error(_update, context) -> None:  # polling: logged without the words
        log.warning("A Telegram update failed: %s", type(context.error).__name__)

    application.add_handler(TypeHandler(Update, on_update))
    application.add_error_handler(on_error)
    app[TELEGRAM] = None  # until Telegram answers: the web chat and chair's pages start now
    app[TELEGRAM_KEY] = key
    tried = asyncio.Event()
    starting = asyncio.create_task(start_when_telegram_answers(app, application, tried))
    with contextlib.suppress(TimeoutError):  # live before the first update, when it answers
        await asyncio.wait_for(tried.wait(), timeout=FIRST_TRY_SECONDS)
    yield
    starting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await starting
    if application.updater and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()


async def start_when_telegram_answers(
    app: web.Application, application: Application, tried: asyncio.Event
) -> None:
    """Start the bot once Telegram's Bot API answers, trying again after 1, 2, 4 ... s
    (a minute at most) while it does not. A refused token is not tried again. `tried` is
    set once the first try is over, however it went."""
    delay = FIRST_RETRY_SECONDS
    while True:
        try:
            await application.initialize()  # asks Telegram who the bot is (getMe)
            break
        except (NetworkError, RetryAfter) as error:  # not reached, or busy: in a while
            log.warning(
                "Telegram does not answer yet (%s); trying again in %g s. The web chat and "
                "the chair's pages work meanwhile.",
                type(error).__name__,
                delay,
            )
        except TelegramError as error:  # the token refused: no retry will change that
            log.error("Telegram is off: the bot could not start (%s).", type(error).__name__)
            tried.set()
            return
        tried.set()
        await asyncio.sleep(delay)
        delay = min(delay * 2, LONGEST_RETRY_SECONDS)
    try:
        await application.start()
        if app[SETTINGS].telegram_polling:
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        app[TELEGRAM] = application
        log.info("Telegram is on.")
    finally:
        tried.set()


async def webhook(request: web.Request) -> web.Response:
    app = request.app
    application = app[TELEGRAM]
    if application is None:
        raise web.HTTPNotFound()
    secret = app[SETTINGS].telegram_webhook_secret or ""
    given = request.headers.get(SECRET_HEADER, "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return web.Response(status=401, text="Unauthorized")
    try:
        data = await request.json()
        if not isinstance(data, dict) or not is_update_id(data.get("update_id")):
            raise ValueError("not an update")  # null, a list, or a number: not Telegram's
        update = Update.de_json(data, application.bot)
    except (json.JSONDecodeError, ValueError, TypeError, KeyError, AttributeError):
        return web.Response(status=400, text="Not an update")  # AttributeError: a part
        # that is no object, e.g. "message": 5
    try:
        taken = await asyncio.to_thread(take_update, app[DATABASE], update.update_id)
    except DATABASE_DOWN:
        return await cannot_save(application, update)
    if taken is not True:  # handled already, or being handled now (then: later, please)
        return web.Response(status=503 if taken == "busy" else 200, text=str(taken))
    try:
        await handle(app, app[TELEGRAM_KEY], update)
    except (CannotSave, *DATABASE_DOWN):
        try:
            await in_transaction(app, lambda s: release_update(s, update.update_id, done=False))
        except DATABASE_DOWN:
            pass  # left "busy": taken again once ABANDONED has passed
        return await cannot_save(application, update)
    except Exception as error:  # before Rasa had it (after, handle() keeps its troubles)
        await in_transaction(app, lambda s: release_update(s, update.update_id, done=False))
        log.warning("A Telegram update was not taken: %s", type(error).__name__)
        return web.Response(status=503, text="Try again")
    await in_transaction(app, lambda s: release_update(s, update.update_id, done=True))
    return web.Response(text="OK")


def is_update_id(value) -> bool:
    """A whole number the database can keep (64 bits); true and false are not numbers."""
    return type(value) is int and 0 <= value < 2**63


async def cannot_save(application: Application, update: Update) -> web.Response:
    """The database did not answer: nothing was saved. The person is told once for this
    update (Telegram sends it again, and it is answered once the database is back)."""
    told = application.bot_data.setdefault("told_cannot_save", set())
    chat = update.effective_chat
    if chat is not None and chat.type == "private" and update.update_id not in told:
        if len(told) > 10_000:
            told.clear()
        told.add(update.update_id)
        try:
            await application.bot.send_message(chat.id, CANT_SAVE)
        except TelegramError:
            pass
    return web.Response(status=503, text="Try again")


def take_update(database, update_id: int):
    """True: this delivery handles the update. "done": handled before. "busy": another
    delivery is handling it now (Telegram will try again). One left "busy" for
    ABANDONED (its process died) is handled again. Ids Telegram no longer resends go."""
    now = utcnow()
    with database.session() as session, session.begin():
        session.execute(delete(TelegramUpdate).where(TelegramUpdate.received_at < now - FORGET))
        found = session.get(TelegramUpdate, update_id, with_for_update=True)
        if found is not None:
            if found.done:
                return "done"
            if found.received_at > now - ABANDONED:
                return "busy"
            found.received_at = now
            return True
    try:
        with database.session() as session, session.begin():
            session.add(TelegramUpdate(update_id=update_id, received_at=now))
    except IntegrityError:  # taken by another delivery this very moment
        return "busy"
    return True


def release_update(session, update_id: int, done: bool) -> None:
    """Handled: done. Not handled: given back, for Telegram's next try."""
    found = session.get(TelegramUpdate, update_id)
    if found is None:
        return
    if done:
        found.done = True
    else:
        session.delete(found)


async def handle(app: web.Application, key: bytes, update: Update) -> None:
    """Raises if the message did not reach Rasa, so Telegram sends it again; once Rasa has
    it, nothing here raises (a retry would answer it twice)."""
    kind, came = bridge.what_came(update)
    if kind == "ignored":
        return
    message = came.message if kind == "tap" else came
    chat_id = message.chat.id
    bot = app[TELEGRAM].bot
    if message.chat.type != "private":  # a group would share one person's answers
        await bot.send_message(chat_id, bridge.NOT_IN_GROUPS)
        return
    sender = bridge.sender_for(key, chat_id)
    if kind == "tap":
        try:
            await came.answer()
        except TelegramError:
            pass  # too old to answer (a retry): the tap still counts
        payload = await in_transaction(
            app, lambda s: bridge.tapped(s, sender, came.data, message.message_id)
        )
        if payload is None:
            await bot.send_message(chat_id, bridge.STALE_TAP)
            return
        text = payload
    elif kind == "text":
        text = came.text
    elif kind == "other" and (came.photo or came.document):
        await _take_picture(app, bot, chat_id, sender, came)
        if not came.caption:
            return
        # Words sent with it ("this is my arm where he hit me") are hers as if typed:
        # answered, kept and put to the safety check like any message.
        text = came.caption
    else:  # a voice note, sticker, location, contact or an edit: not passed on
        await bot.send_message(chat_id, bridge.NOT_EDITS if kind == "edited" else bridge.ONLY_WORDS)
        return
    if too_long(app, text):  # nothing kept: she can send it again in parts
        await bot.send_message(chat_id, TOO_LONG)
        return
    before = await in_transaction(app, lambda s: step_at(s, sender))
    # From here on, Rasa has the message: its id makes a second delivery the same message.
    replies = await say(app, sender, text, f"telegram:{update.update_id}")
    try:
        await _answer(app, bot, chat_id, sender, replies)
        agenda = load_agenda()
        if hint := await in_transaction(app, lambda s: photo_hint(s, sender, agenda, before)):
            await bot.send_message(chat_id, hint)
    except Exception as error:  # noqa: BLE001 (Rasa has it: a retry would answer it twice)
        log.warning("Could not finish a Telegram reply: %s", type(error).__name__)


async def _take_picture(app, bot, chat_id: int, sender: str, message) -> None:
    """A photo (or a file) from a child at one of her houses: fetched through the Bot API's
    getFile, checked and kept like the web chat's (bot/picture_sent.py); a kind refusal
    otherwise. A failure to fetch it raises, so Telegram sends the update again."""
    limit = app[SETTINGS].picture_max_mb
    agenda = load_agenda()
    words = await in_transaction(app, lambda s: refusal(s, sender, agenda))
    if words is None:
        item = message.photo[-1] if message.photo else message.document  # the largest size
        try:
            if over := too_big(item.file_size or 0, limit):
                raise over
            data = bytes(await (await item.get_file()).download_as_bytearray())
            clean = await asyncio.to_thread(clean_picture, data, limit)
            words = await in_transaction(app, lambda s: take_picture(s, sender, agenda, clean))
        except PictureRefused as refused:
            words = str(refused)
    await bot.send_message(chat_id, words)


async def _answer(app, bot, chat_id: int, sender: str, replies: list[dict]) -> None:
    """Send the replies; the buttons now shown replace the last ones, whose keyboard goes."""
    shown, buttons = await send_replies(bot, chat_id, replies)
    old = await in_transaction(app, lambda s: bridge.remember_buttons(s, sender, buttons, shown))
    if old is not None:
        try:
            await bot.edit_message_reply_markup(chat_id, old, reply_markup=None)
        except TelegramError:
            pass  # already gone


async def send_replies(bot, chat_id: int, replies: list[dict]) -> tuple[int | None, list]:
    """Send each reply, split to Telegram's length, the last reply's buttons under the last
    message: that message's id and those buttons (None and [] when there are none)."""
    texts = [reply for reply in replies if reply.get("text")]
    sent, buttons = None, []
    for number, reply in enumerate(texts):
        parts = bridge.split_text(reply["text"])
        for index, part in enumerate(parts):
            last = number == len(texts) - 1 and index == len(parts) - 1
            buttons = (reply.get("buttons") or []) if last else []
            sent = await bot.send_message(chat_id, part, reply_markup=bridge.keyboard(buttons))
    return (sent.message_id if sent and buttons else None), buttons
