"""Request handlers outside a conference: the front page, health, signing in and out."""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import text

from bot.launcher.supervise import stack_state_path
from bot.review import signin
from bot.review import staff as staff_members
from bot.web.guard import (
    COOKIE,
    STAFF_COOKIE,
    from_this_site,
    redirect,
    refuse,
    set_private_cookie,
)
from bot.web.keys import DATABASE, SETTINGS
from bot.web.transaction import in_transaction

log = logging.getLogger("companion.web")


@aiohttp_jinja2.template("index.html")
async def index(request: web.Request) -> dict:
    return {"title": "Conference Companion"}


async def health(request: web.Request) -> web.Response:
    """Healthy when the application database answers; with how each service of the stack
    is, and how often it was restarted, as the supervisor last wrote it."""
    database = request.app[DATABASE]
    stack = stack_services(request.app[SETTINGS].var_dir)

    def ask() -> None:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:  # in a thread: a database that does not answer must not hold up every page
        await asyncio.to_thread(ask)
    except Exception as error:  # any failure means "not ready"; the error itself (which may
        # name the database's address and user) goes to the log, never to whoever asks
        driver = getattr(error, "orig", None) or error  # without SQLAlchemy's SQL and links
        said = (str(driver).strip().splitlines() or [""])[0]
        log.warning("Health: the database does not answer (%s: %s)", type(error).__name__, said)
        return web.json_response(
            {"status": "unavailable", "reason": "the database does not answer", **stack},
            status=503,
        )
    return web.json_response({"status": "ok", **stack})


def stack_services(var_dir) -> dict:
    """{"services": [...]} from the supervisor's var/run/stack.json; {} when none runs."""
    try:
        state = json.loads(stack_state_path(var_dir).read_text())
        return {"services": state["services"], "services_updated": state["updated"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


@aiohttp_jinja2.template("chair/sign_in.html")
async def sign_in_page(request: web.Request) -> dict:
    """A link only shows a button: mail scanners that open links cannot use it up."""
    return {"token": request.match_info["token"], "action": "/sign-in"}


@aiohttp_jinja2.template("chair/sign_in.html")
async def staff_sign_in_page(request: web.Request) -> dict:
    return {
        "token": request.match_info["token"],
        "action": "/staff/sign-in",
        "heading": "Sign in to your conferences",
    }


async def sign_in(request: web.Request) -> web.Response:
    """A chair's link, from their chat or `companion chair-link`: their conference."""

    def work(session, token):
        signed = signin.redeem_link(session, token)
        if signed is None:  # a used link opened again on a browser still signed in
            chair = signin.signed_in_chair(session, request.cookies.get(COOKIE))
            return (None, chair.conference_id) if chair else None
        return signed.token, signed.chair.conference_id

    return await _signed_in(
        request,
        COOKIE,
        work,
        "Ask for a new one in your chat (Sign-in link), or ask the conference administrator.",
    )


async def staff_sign_in(request: web.Request) -> web.Response:
    """A member of staff's link (`companion staff link`): their list of conferences."""

    def work(session, token):
        signed = staff_members.redeem_link(session, token)
        if signed is None:
            staff = staff_members.signed_in_staff(session, request.cookies.get(STAFF_COOKIE))
            return (None, "") if staff else None
        return signed.token, ""

    return await _signed_in(request, STAFF_COOKIE, work, "Ask a conference coordinator.")


async def _signed_in(request: web.Request, cookie: str, work, ask: str) -> web.Response:
    """Redeem the posted link's token with `work(session, token)` -> (the session's token,
    or None when already signed in; where under /conferences to go), or None if refused."""
    if not from_this_site(request):  # another site must not sign someone in as another
        return refuse(
            request,
            403,
            "This sign-in did not come from our page",
            "Please open the sign-in link from your email or chat again, and press the button.",
        )
    token = str((await request.post()).get("token", ""))
    signed = await in_transaction(request.app, lambda session: work(session, token))
    if signed is None:
        return refuse(
            request,
            403,
            "This sign-in link does not work",
            f"Each link works once, for 2 days. {ask}",
        )
    session_token, where = signed
    response = redirect(f"/conferences/{where}".rstrip("/"))
    if session_token:
        lifetime = int(signin.SESSION_LIFETIME.total_seconds())
        set_private_cookie(request, response, cookie, session_token, lifetime)
    return response


@aiohttp_jinja2.template("chair/signed_out.html")
async def signed_out(request: web.Request) -> dict:
    return {}
