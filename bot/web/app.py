"""One factory builds the web app; `python -m bot.web.app` runs it (the launcher does)."""

from __future__ import annotations

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.model.database import Database
from bot.settings import Settings, load_settings
from bot.web.keys import DATABASE, SETTINGS
from bot.web.routes import setup_routes


def create_app(settings: Settings) -> web.Application:
    app = web.Application()
    app[SETTINGS] = settings
    app[DATABASE] = Database(settings)
    aiohttp_jinja2.setup(app, loader=jinja2.PackageLoader("bot.web", "templates"), autoescape=True)
    setup_routes(app)

    async def close_database(app: web.Application) -> None:
        app[DATABASE].dispose()

    app.on_cleanup.append(close_database)
    return app


def main() -> None:
    settings = load_settings()
    web.run_app(create_app(settings), host=settings.host, port=settings.web_port, print=None)


if __name__ == "__main__":
    main()
