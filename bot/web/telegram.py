"""Telegram inside the web app: python-telegram-bot's Application, built with
`updater(None)` for the webhook (or polling, for local use), started in the app's
cleanup_ctx only when TELEGRAM_BOT_TOKEN is set.

The webhook answers 2xx only once Rasa has the message, so a failure before that is
retried by Telegram rather than lost; each update id is taken once, so a retry of a
delivered update is not answered twice.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import secrets

from aiohttp import web
from sqlalchemy.exc import IntegrityError
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, TypeHandler

from bot.model.tables import TelegramUpdate
from bot.private_files import write_private
from bot.settings import Settings
from bot.telegram import bridge
from bot.web.keys import DATABASE, SETTINGS, TELEGRAM, TELEGRAM_KEY
from bot.web.rasa import RasaUnavailable, say

log = logging.getLogger("companion.telegram")
ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SHORTEST_SECRET = 32


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

    application.add_handler(TypeHandler(Update, on_update))
    await application.initialize()
    await application.start()
    if settings.telegram_polling:
        await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
    app[TELEGRAM] = application
    app[TELEGRAM_KEY] = key
    yield
    if settings.telegram_polling:
        await application.updater.stop()
    await application.stop()
    await application.shutdown()


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
        update = Update.de_json(data, application.bot)
    except (json.JSONDecodeError, ValueError, TypeError, KeyError):
        return web.Response(status=400, text="Not an update")
    if not await _take(app, update.update_id, take=True):
        return web.Response(text="Already handled")
    try:
        await handle(app, app[TELEGRAM_KEY], update)
    except RasaUnavailable:
        await _take(app, update.update_id, take=False)  # Telegram will send it again
        return web.Response(status=503, text="Try again")
    return web.Response(text="OK")


async def _take(app: web.Application, update_id: int, take: bool) -> bool:
    """Take an update id (False if it was taken before), or give it back."""

    def run():
        with app[DATABASE].session() as session, session.begin():
            if take:
                session.add(TelegramUpdate(update_id=update_id))
                session.flush()
            else:
                session.query(TelegramUpdate).filter_by(update_id=update_id).delete()
        return True

    try:
        return await asyncio.to_thread(run)
    except IntegrityError:
        return False


async def handle(app: web.Application, key: bytes, update: Update) -> None:
    kind, came = bridge.what_came(update)
    if kind == "ignored":
        return
    chat_id = came.message.chat.id if kind == "tap" else came.chat.id
    sender = bridge.sender_for(key, chat_id)
    bot = app[TELEGRAM].bot
    if kind == "tap":
        await came.answer()
        payload = await _in_session(app, lambda s: bridge.tapped(s, sender, came.data))
        try:
            await came.edit_message_reply_markup(reply_markup=None)
        except TelegramError:
            pass  # already gone: nothing to tidy
        if payload is None:
            await bot.send_message(chat_id, bridge.STALE_TAP)
            return
        text = payload
    elif kind == "text":
        text = came.text
    else:  # a photo, voice note, sticker, location, contact or an edit: not passed on
        await bot.send_message(chat_id, bridge.NOT_EDITS if kind == "edited" else bridge.ONLY_WORDS)
        return
    replies = await say(app, sender, text)  # from here on, Rasa has the message
    buttons = next((r.get("buttons") for r in reversed(replies) if r.get("buttons")), None) or []
    await _in_session(app, lambda s: bridge.remember_buttons(s, sender, buttons))
    try:
        await _send(bot, chat_id, replies)
    except TelegramError as error:  # Rasa has it: a retry would answer it twice
        log.warning("Could not send a reply to Telegram: %s", type(error).__name__)


async def _send(bot, chat_id: int, replies: list[dict]) -> None:
    texts = [reply for reply in replies if reply.get("text")]
    for number, reply in enumerate(texts):
        parts = bridge.split_text(reply["text"])
        for index, part in enumerate(parts):
            last = number == len(texts) - 1 and index == len(parts) - 1
            markup = bridge.keyboard(reply.get("buttons") or []) if last else None
            await bot.send_message(chat_id, part, reply_markup=markup)


async def _in_session(app: web.Application, work):
    def run():
        with app[DATABASE].session() as session, session.begin():
            return work(session)

    return await asyncio.to_thread(run)
