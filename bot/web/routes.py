"""Every URL of the web app, in one list."""

from aiohttp import web

from bot.web import views


def setup_routes(app: web.Application) -> None:
    app.add_routes(
        [
            web.get("/", views.index, name="index"),
            web.get("/healthz", views.health, name="health"),
        ]
    )
