"""Request handlers: they adapt HTTP to the conference model."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import text

from bot.web.keys import DATABASE


@aiohttp_jinja2.template("index.html")
async def index(request: web.Request) -> dict:
    return {}


async def health(request: web.Request) -> web.Response:
    """Healthy when the application database answers."""
    database = request.app[DATABASE]
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "not ready", with the reason
        return web.json_response({"status": "unavailable", "reason": str(error)}, status=503)
    return web.json_response({"status": "ok"})
