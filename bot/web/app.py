"""One factory builds the web app; `python -m bot.web.app` runs it (the launcher does)."""

from __future__ import annotations

import asyncio
import logging

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot import log_privacy
from bot.model.database import Database
from bot.notify.outbox import deliver_forever
from bot.private_files import private_by_default
from bot.settings import Settings, load_settings
from bot.web.keys import DATABASE, SETTINGS
from bot.web.routes import setup_routes


def create_app(settings: Settings) -> web.Application:
    app = web.Application()
    app[SETTINGS] = settings
    app[DATABASE] = Database(settings)
    aiohttp_jinja2.setup(app, loader=jinja2.PackageLoader("bot.web", "templates"), autoescape=True)
    setup_routes(app)

    async def deliver_notifications(app: web.Application):
        task = asyncio.create_task(deliver_forever(app[DATABASE], settings))
        yield
        task.cancel()

    async def close_database(app: web.Application) -> None:
        app[DATABASE].dispose()

    app.cleanup_ctx.append(deliver_notifications)
    app.on_cleanup.append(close_database)
    return app


def main() -> None:
    private_by_default()  # its logs and files are ours alone
    settings = load_settings()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    log_privacy.install()
    web.run_app(create_app(settings), host=settings.host, port=settings.web_port, print=None)


if __name__ == "__main__":
    main()
