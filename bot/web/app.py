"""One factory builds the web app; `python -m bot.web.app` runs it (the launcher does)."""

from __future__ import annotations

import asyncio
import logging
import secrets

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot import log_privacy
from bot.model.database import Database
from bot.notify.invites import deliver_outreach_forever
from bot.notify.outbox import deliver_forever
from bot.notify.reminders import remind_forever
from bot.private_files import private_by_default
from bot.settings import Settings, load_settings
from bot.summary.inert import finalize
from bot.web import went_away
from bot.web.bodies import BODY_MAX_BYTES, body_limits
from bot.web.chat_words import phone_links
from bot.web.keys import DATABASE, SETTINGS
from bot.web.rasa import rasa_client
from bot.web.routes import setup_routes
from bot.web.telegram import telegram_bot

# Our pages, GOV.UK Frontend's macros, and the summary's own templates (the family preview).
TEMPLATES = jinja2.ChoiceLoader(
    [
        jinja2.PackageLoader("bot.web", "templates"),
        jinja2.PrefixLoader(
            {
                "govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja"),
                "summary": jinja2.PackageLoader("bot.summary", "templates"),
            }
        ),
    ]
)


def pages_nav(pages, current: str, conference_id: str) -> list[dict]:
    """The service navigation of a conference's pages."""
    base = f"/conferences/{conference_id}"
    paths = {"responses": base, "for_chair": f"{base}/for-the-chair"}
    return [
        {"href": paths.get(key, f"{base}/{key}"), "text": title, "active": key == current}
        for key, title in pages
    ]


@web.middleware
async def csp_nonce(request: web.Request, handler):
    request["csp_nonce"] = secrets.token_urlsafe(16)
    return await handler(request)


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare, so every response has them, errors included (aiohttp's own
    404, 405 and 500 too): no page may run a script we did not write, be framed, or be
    cached by a proxy; untrusted words stay inert even if escaping ever failed."""
    nonce = request.get("csp_nonce")
    scripts = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'none'; style-src 'self'; img-src 'self'; "
        f"script-src {scripts}; connect-src 'self'; "
        "form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers["Server"] = "Conference Companion"  # not which versions to attack
    if request.app[SETTINGS].public_url.startswith("https://"):
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    # The staff's list (/conferences) names children; a sign-in page holds its link's token.
    if request.path.startswith(("/conferences", "/sign-in", "/staff/", "/chat")):
        response.headers.setdefault("Cache-Control", "no-store")
    elif request.path.startswith(("/assets/", "/static/")):  # quick on a slow phone
        response.headers.setdefault("Cache-Control", "public, max-age=3600")


async def _nonce(request: web.Request) -> dict:
    return {"cspNonce": request.get("csp_nonce")}


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[csp_nonce, body_limits], client_max_size=BODY_MAX_BYTES)
    app.on_response_prepare.append(security_headers)
    app[SETTINGS] = settings
    app[DATABASE] = Database(settings)
    environment = aiohttp_jinja2.setup(
        app, loader=TEMPLATES, autoescape=True, context_processors=[_nonce], finalize=finalize
    )
    environment.globals["pages_nav"] = pages_nav
    environment.filters["phone_links"] = phone_links  # the web chat: tel: links
    setup_routes(app)

    async def deliver_notifications(app: web.Application):
        tasks = [
            asyncio.create_task(deliver_forever(app[DATABASE], settings)),
            asyncio.create_task(deliver_outreach_forever(app[DATABASE], settings)),
        ]
        yield
        for task in tasks:
            task.cancel()

    async def queue_reminders(app: web.Application):
        """Reminders whose time has come go into the outbox, from the database each round."""
        task = asyncio.create_task(remind_forever(app[DATABASE], settings))
        yield
        task.cancel()

    async def close_database(app: web.Application) -> None:
        app[DATABASE].dispose()

    app.cleanup_ctx.append(deliver_notifications)
    app.cleanup_ctx.append(queue_reminders)
    app.cleanup_ctx.append(rasa_client)
    app.cleanup_ctx.append(telegram_bot)
    app.on_cleanup.append(close_database)
    return app


def main() -> None:
    private_by_default()  # its logs and files are ours alone
    settings = load_settings()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs every Bot API address
    log_privacy.install()
    went_away.install()  # a request its sender gave up on: one plain line, no traceback
    web.run_app(create_app(settings), host=settings.host, port=settings.web_port, print=None)


if __name__ == "__main__":
    main()
