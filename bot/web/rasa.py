"""The web app's line to Rasa's REST channel, on loopback, with the sender ids we made."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from bot.typed import TOO_LONG as TOO_LONG  # one wording for every channel
from bot.web.keys import RASA_CLIENT, SETTINGS


class RasaUnavailable(Exception):
    pass


def too_long(app: web.Application, message: str) -> bool:
    """Checked before a message goes to Rasa: a huge one would hold it up for everyone."""
    return len(message) > app[SETTINGS].message_max_chars


async def rasa_client(app: web.Application):
    """cleanup_ctx: one connection pool for the app's life."""
    app[RASA_CLIENT] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
    yield
    await app[RASA_CLIENT].close()


async def say(app: web.Application, sender: str, message: str) -> list[dict]:
    """One message; the bot's replies ({"text", "buttons"})."""
    url = f"{app[SETTINGS].rasa_url}/webhooks/rest/webhook"
    try:
        async with app[RASA_CLIENT].post(url, json={"sender": sender, "message": message}) as r:
            if r.status != 200:
                raise RasaUnavailable(f"Rasa answered {r.status}")
            replies = await r.json()
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise RasaUnavailable(str(error)) from None
    return [_words_and_buttons(reply) for reply in replies]


def _words_and_buttons(reply: dict) -> dict:
    """Only what a person should see: Rasa adds the sender id (recipient_id), which a
    browser must never learn."""
    return {
        "text": reply.get("text") or "",
        "buttons": [
            {"title": b.get("title", ""), "payload": b.get("payload", "")}
            for b in reply.get("buttons") or []
        ],
    }
