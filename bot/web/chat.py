"""The web chat: the invite's code opens a session, and the app talks to Rasa for it.

Without JavaScript every step is a form: post, redirect, show the page. With it, chat.js
sends the same forms with fetch and adds the replies to the page. Either way the browser
holds only a cookie; the Rasa sender id is ours, and nothing typed is kept in the browser.
"""

from __future__ import annotations

import asyncio

import aiohttp_jinja2
from aiohttp import web

from bot.chat_client import is_scale
from bot.model.database import Database
from bot.model.invites import participant_for_sender
from bot.model.web_chats import (
    IDLE,
    end_chat,
    keep_replies,
    last_replies,
    live_chat,
    new_sender,
    open_chat,
    sender_for_invite,
)
from bot.web.csrf import csrf_ok, csrf_token
from bot.web.guard import redirect
from bot.web.keys import DATABASE, SETTINGS
from bot.web.rasa import RasaUnavailable, say

COOKIE = "companion_chat"
NEUTRAL_SITE = "https://www.bbc.co.uk/weather"  # where "Exit this page" goes
NOT_ANSWERING = (
    "The chat is not answering just now. Everything you sent before is saved. "
    "Please try again in a few minutes."
)


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


async def _in_session(request: web.Request, work):
    """Run `work(session)` in a thread, in one transaction."""
    database: Database = request.app[DATABASE]

    def run():
        with database.session() as session, session.begin():
            return work(session)

    return await asyncio.to_thread(run)


def _page(request: web.Request, context: dict, status: int = 200) -> web.Response:
    response = aiohttp_jinja2.render_template("chat.html", request, context, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _start_page(request, error=None, replies=(), status=200) -> web.Response:
    return _page(request, {"started": False, "error": error, "replies": list(replies)}, status)


async def chat_page(request: web.Request) -> web.Response:
    token = request.cookies.get(COOKIE)

    def find(session):
        chat = live_chat(session, token)
        return (chat.sender, last_replies(chat)) if chat else None

    found = await _in_session(request, find)
    if found is None:
        response = _start_page(request)
        if token:
            response.del_cookie(COOKIE, path="/")
        return response
    sender, replies = found
    if not replies:  # nothing kept to show: ask Rasa where this conversation is
        try:
            replies = await say(request.app, sender, "/start")
        except RasaUnavailable:
            return _page(request, {"started": True, "error": NOT_ANSWERING, "replies": []}, 503)
        await _keep(request, token, replies)
    return _talk_page(request, token, replies)


def _talk_page(request, token, replies, error=None, typed="", status=200) -> web.Response:
    context = {
        "started": True,
        "replies": replies,
        "csrf": csrf_token(token),
        "error": error,
        "typed": typed,
        "scale": bool(replies) and is_scale(replies[-1].get("buttons") or []),
    }
    return _page(request, context, status)


async def _keep(request: web.Request, token: str, replies: list[dict]) -> None:
    def keep(session):
        chat = live_chat(session, token)
        if chat is not None:
            keep_replies(chat, replies)

    await _in_session(request, keep)


async def start(request: web.Request) -> web.Response:
    code = str((await request.post()).get("code", "")).strip()
    if not code:
        return _start_page(request, "Type the code from your invite.", status=400)
    sender = await _in_session(request, lambda session: sender_for_invite(session, code))
    sender = sender or new_sender()
    try:
        replies = await say(request.app, sender, f"/start {code}")
    except RasaUnavailable:
        return _start_page(request, NOT_ANSWERING, status=503)

    def bind(session):
        if participant_for_sender(session, sender) is None:
            return None  # the code was refused: the bot's replies say why
        return open_chat(session, sender, replies).token

    token = await _in_session(request, bind)
    if token is None:
        return _start_page(request, replies=replies)
    response = redirect("/chat")
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(IDLE.total_seconds()) * 16,  # the server ends it after IDLE of quiet
        httponly=True,
        secure=request.app[SETTINGS].public_url.startswith("https://"),
        samesite="Strict",
        path="/",
    )
    return response


async def send(request: web.Request) -> web.Response:
    form = await request.post()
    token = request.cookies.get(COOKIE)
    message = str(form.get("message", "")).strip()

    def find(session):
        chat = live_chat(session, token)
        return chat.sender if chat else None

    sender = await _in_session(request, find)
    if sender is None:
        if _wants_json(request):
            return web.json_response({"ended": True}, status=401)
        return redirect("/chat")
    if not csrf_ok(token, form.get("csrf")):
        if _wants_json(request):
            return web.json_response({"error": "Please reload the page."}, status=400)
        return redirect("/chat")
    if not message:
        return redirect("/chat") if not _wants_json(request) else web.json_response({"replies": []})
    try:
        replies = await say(request.app, sender, message)
    except RasaUnavailable:
        if _wants_json(request):
            return web.json_response({"error": NOT_ANSWERING}, status=503)
        return _talk_page(request, token, [], NOT_ANSWERING, typed=message, status=503)
    await _keep(request, token, replies)
    if _wants_json(request):
        return web.json_response({"replies": replies})
    return redirect("/chat")


async def leave(request: web.Request) -> web.Response:
    """Exit this page: the session ends, and the browser goes to an ordinary site."""
    token = request.cookies.get(COOKIE)

    def end(session):
        chat = live_chat(session, token)
        if chat is not None:
            end_chat(chat)

    await _in_session(request, end)
    response = redirect(NEUTRAL_SITE)
    response.del_cookie(COOKIE, path="/")
    return response
