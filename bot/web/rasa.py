"""The web app's line to Rasa's REST channel, on loopback, with the sender ids we made."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from bot.retries import CANT_SAVE
from bot.typed import TOO_LONG as TOO_LONG  # one wording for every channel
from bot.web.keys import RASA_CLIENT, SETTINGS


class RasaUnavailable(Exception):
    pass


class CannotSave(Exception):
    """The database did not answer: nothing was saved (CANT_SAVE says so). Not a
    RasaUnavailable: the person is told something else."""


def too_long(app: web.Application, message: str) -> bool:
    """Checked before a message goes to Rasa: a huge one would hold it up for everyone."""
    return len(message) > app[SETTINGS].message_max_chars


async def rasa_client(app: web.Application):
    """cleanup_ctx: one connection pool for the app's life."""
    timeout = aiohttp.ClientTimeout(total=60, sock_connect=5)
    app[RASA_CLIENT] = aiohttp.ClientSession(timeout=timeout)
    yield
    await app[RASA_CLIENT].close()


# Raised before a request is sent: the server never had the message.
NOT_REACHED = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)


async def say(
    app: web.Application, sender: str, message: str, message_id: str | None = None
) -> list[dict]:
    """One message; the bot's replies ({"text", "buttons"}).

    It goes to the sender's own Rasa server (Settings.rasa_urls_for). A server that cannot
    be reached is passed over for the next, which carries on the same conversation from
    the shared tracker store. One that was reached and then failed is not asked again:
    it may have taken the message, and another server would take it twice."""
    body = {"sender": sender, "message": message}
    if message_id is not None:  # sent again with it, the same replies, nothing done twice
        body["message_id"] = message_id
    for url in app[SETTINGS].rasa_urls_for(sender):
        try:
            async with app[RASA_CLIENT].post(f"{url}/webhooks/rest/webhook", json=body) as r:
                if r.status == 503 and CANT_SAVE in await r.text():
                    raise CannotSave(CANT_SAVE)
                if r.status != 200:
                    raise RasaUnavailable(f"Rasa answered {r.status}")
                replies = await r.json()
        except NOT_REACHED as error:
            not_reached = error
            continue
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise RasaUnavailable(str(error)) from None
        return [_words_and_buttons(reply) for reply in replies]
    raise RasaUnavailable(str(not_reached))


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
