"""The web chat: the invite's code opens a session, and the app talks to Rasa for it.

Without JavaScript every step is a form: post, redirect, show the page. With it, chat.js
sends the same forms with fetch and adds the replies to the page. Either way the browser
holds only a cookie; the Rasa sender id is ours, and nothing typed is kept in the browser.
"""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.chat_client import is_scale
from bot.model.invites import participant_for_sender
from bot.model.tokens import new_token
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
from bot.web.guard import redirect, set_private_cookie
from bot.web.keys import SETTINGS
from bot.web.rasa import RasaUnavailable, say
from bot.web.transaction import in_transaction

COOKIE = "companion_chat"
DEVICE = "companion_device"  # long-lived: lets a child's chat open again on this browser
DEVICE_LIFETIME = 180 * 24 * 3600
NEUTRAL_SITE = "https://www.bbc.co.uk/weather"  # where "Exit this page" goes
NOT_ANSWERING = (
    "The chat is not answering just now. Everything you sent before is saved. "
    "Please try again in a few minutes."
)
CLOSED = (
    "This chat closed after 30 minutes without a message, to keep it private. Your last "
    "answer was not sent. Type the code from your invite to carry on where you were."
)
SEND_AGAIN = "Your answer was not sent. Please press Send again."
OTHER_SITE = "This page can only be used from the chat itself. Please open your invite link."


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _page(request: web.Request, context: dict, status: int = 200) -> web.Response:
    response = aiohttp_jinja2.render_template("chat.html", request, context, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _start_page(request, error=None, replies=(), status=200, typed="") -> web.Response:
    context = {"started": False, "error": error, "replies": list(replies), "typed": typed}
    return _page(request, context, status)


def _from_this_site(request: web.Request) -> bool:
    """A form posted from our own page, not from another site (login CSRF, and a
    belt to SameSite's braces)."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    ours = {request.app[SETTINGS].public_url, f"{request.scheme}://{request.host}"}
    # "null": our pages send no referrer, and then browsers send no origin either.
    return origin in (None, "null") or origin in ours


async def chat_page(request: web.Request) -> web.Response:
    token = request.cookies.get(COOKIE)

    def find(session):
        chat = live_chat(session, token)
        return (chat.sender, last_replies(chat)) if chat else None

    found = await in_transaction(request.app, find)
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
            return _talk_page(request, token, [], NOT_ANSWERING, status=503)
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

    await in_transaction(request.app, keep)


async def start(request: web.Request) -> web.Response:
    if not _from_this_site(request):
        return _start_page(request, OTHER_SITE, status=403)
    code = str((await request.post()).get("code", "")).strip()
    if not code:
        return _start_page(request, "Type the code from your invite.", status=400)
    device = request.cookies.get(DEVICE) or new_token()
    old = request.cookies.get(COOKIE)

    def find(session):
        chat = live_chat(session, old)
        if chat is not None:  # a new code on this browser: whoever chatted before is closed
            end_chat(chat)
        return sender_for_invite(session, code, device)

    sender = await in_transaction(request.app, find) or new_sender()
    try:
        replies = await say(request.app, sender, f"/start {code}")
    except RasaUnavailable:
        return _start_page(request, NOT_ANSWERING, status=503)

    def bind(session):
        if participant_for_sender(session, sender) is None:
            return None  # the code was refused: the bot's replies say why
        return open_chat(session, sender, device, replies).token

    token = await in_transaction(request.app, bind)
    if token is None:
        return _start_page(request, replies=replies)
    response = redirect("/chat")
    # The session's cookie outlives IDLE: the server ends a quiet chat itself.
    set_private_cookie(request, response, COOKIE, token, int(IDLE.total_seconds()) * 16)
    set_private_cookie(request, response, DEVICE, device, DEVICE_LIFETIME)
    return response


async def send(request: web.Request) -> web.Response:
    form = await request.post()
    token = request.cookies.get(COOKIE)
    message = str(form.get("message", "")).strip()

    def find(session):  # whose chat, and the question it is at (shown again if not sent)
        chat = live_chat(session, token)
        return (chat.sender, last_replies(chat)) if chat else (None, [])

    sender, shown = await in_transaction(request.app, find)
    if sender is None:  # the chat closed while they were typing: their words stay with them
        if _wants_json(request):
            return web.json_response({"ended": True, "error": CLOSED}, status=401)
        return _start_page(request, CLOSED, typed=message, status=401)
    if not _from_this_site(request) or not csrf_ok(token, form.get("csrf")):
        if _wants_json(request):
            return web.json_response({"error": SEND_AGAIN}, status=400)
        return _talk_page(request, token, shown, SEND_AGAIN, typed=message, status=400)
    if not message:
        return redirect("/chat") if not _wants_json(request) else web.json_response({"replies": []})
    try:
        replies = await say(request.app, sender, message)
    except RasaUnavailable:
        if _wants_json(request):
            return web.json_response({"error": NOT_ANSWERING}, status=503)
        return _talk_page(request, token, shown, NOT_ANSWERING, typed=message, status=503)
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

    await in_transaction(request.app, end)
    response = redirect(NEUTRAL_SITE)
    response.del_cookie(COOKIE, path="/")
    return response
