"""The web app's line to Rasa's REST channel, on loopback, with the sender ids we made."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from bot.web.keys import RASA_CLIENT, SETTINGS


class RasaUnavailable(Exception):
    pass


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
            return await r.json()
    except (aiohttp.ClientError, TimeoutError) as error:
        raise RasaUnavailable(str(error)) from None
