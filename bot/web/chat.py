"""The web chat: the invite's code opens a session, and the app talks to Rasa for it.

Without JavaScript every step is a form: post, redirect, show the page. With it, chat.js
sends the same forms with fetch and adds the replies to the page. Either way the browser
holds only a cookie; the Rasa sender id is ours, and nothing typed is kept in the browser.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets

import aiohttp_jinja2
from aiohttp import BodyPartReader, web

from bot.agenda.loader import load_agenda
from bot.chat_client import is_scale
from bot.model.handled_messages import DATABASE_DOWN
from bot.model.invites import participant_for_sender
from bot.model.tokens import new_token
from bot.model.web_chats import (
    IDLE,
    end_chat,
    keep_replies,
    live_chat,
    new_sender,
    open_chat,
    recent_turns,
    sender_for_invite,
)
from bot.picture_sent import FOR_WHOM, house_step, picture_house, take_picture
from bot.pictures import PictureRefused, clean_picture, too_big_words
from bot.retries import CANT_SAVE, message_id
from bot.web.bodies import wants_json
from bot.web.chat_words import scale_ends
from bot.web.csrf import csrf_ok, csrf_token
from bot.web.guard import from_this_site, redirect, set_private_cookie
from bot.web.keys import SETTINGS
from bot.web.rasa import TOO_LONG, CannotSave, RasaUnavailable, say, too_long
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
ONLY_WORDS = "Please type your answer in the box. A file cannot be sent here."
OTHER_SITE = "This page can only be used from the chat itself. Please open your invite link."
PICTURE_SAID = "📷 A picture"  # what the chat shows of the child's turn
FIELD_LIMIT = 1024  # bytes: the picture form's other field is its CSRF token
MOST_PARTS = 4  # the picture form sends two
ANSWER = "/chat#choices"  # back at the question, scrolled so it and its buttons are in view


def _page(request: web.Request, context: dict, status: int = 200) -> web.Response:
    response = aiohttp_jinja2.render_template("chat.html", request, context, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _start_page(request, error=None, replies=(), status=200, typed="") -> web.Response:
    recent = [{"said": None, "replies": list(replies)}]
    context = {"started": False, "error": error, "recent": recent, "typed": typed}
    return _page(request, context, status)


def _choices(replies: list[dict], house: str | None, request: web.Request) -> dict:
    """The controls under the question now: its buttons (0-10 as a scale, with what 0 and
    10 mean in its own words), and a picture's file input at a child's house."""
    last = replies[-1] if replies else {}
    buttons = last.get("buttons") or []
    scale = is_scale(buttons)
    limit = request.app[SETTINGS].picture_max_mb
    return {
        "buttons": buttons,
        "scale": scale,
        "ends": scale_ends(last.get("text")) if scale else None,
        "picture": {"whom": FOR_WHOM.get(house, "your house"), "limit": f"{limit:g}"}
        if house
        else None,
    }


def _here(session, chat) -> tuple:
    """What a page of this chat shows: its sender, recent turns, and the house (if any)
    where a picture may be sent now."""
    step = house_step(session, chat.sender, load_agenda())
    return chat.sender, recent_turns(chat), picture_house(step) if step else None


async def _chat_now(request: web.Request, token: str | None) -> tuple:
    """The live chat of this cookie as _here gives it; (None, [], None) when there is none
    (never opened, ended, or quiet too long)."""

    def find(session):
        chat = live_chat(session, token)
        return _here(session, chat) if chat else (None, [], None)

    return await in_transaction(request.app, find)


async def chat_page(request: web.Request) -> web.Response:
    token = request.cookies.get(COOKIE)
    try:
        return await _chat_page(request, token)
    except (CannotSave, *DATABASE_DOWN):  # not a fresh start: the chat is there, once read
        return _cannot_save(request, token)


async def _chat_page(request: web.Request, token: str | None) -> web.Response:
    sender, recent, house = await _chat_now(request, token)
    if sender is None:
        response = _start_page(request)
        if token:
            response.del_cookie(COOKIE, path="/")
        return response
    if not recent:  # nothing kept to show: ask Rasa where this conversation is
        try:
            replies = await say(request.app, sender, "/start")
        except RasaUnavailable:
            return _talk_page(request, token, [], None, NOT_ANSWERING, status=503)
        recent, house = await _keep(request, token, replies)
    return _talk_page(request, token, recent, house)


def _talk_page(
    request, token, recent, house, error=None, typed="", status=200, sent_as=None
) -> web.Response:
    """`sent_as`: the id of a message that was not sent, kept so that sending it again is
    the same message (it may have got through after all)."""
    replies = recent[-1]["replies"] if recent else []
    context = {
        "started": True,
        "recent": recent,
        "csrf": csrf_token(token),
        "message_id": sent_as or new_message_id(),
        "error": error,
        "typed": typed,
        **_choices(replies, house, request),
    }
    return _page(request, context, status)


async def _keep(request: web.Request, token: str, replies: list[dict], said=None) -> tuple:
    """One turn kept for a reload; the recent turns, and the house a picture may go to now."""

    def keep(session):
        chat = live_chat(session, token)
        if chat is None:
            return [], None
        keep_replies(chat, replies, said)
        return _here(session, chat)[1:]

    return await in_transaction(request.app, keep)


def _said(message: str, shown: list[dict]) -> str:
    """A button's payload is shown as its title, as the person saw it."""
    buttons = (shown[-1].get("buttons") or []) if shown else []
    return next((b["title"] for b in buttons if str(b["payload"]) == message), message)


def _answer_json(request, token, replies, house) -> web.Response:
    """chat.js's answer: the replies, the same pieces the page would show for them, and
    the next message's id."""
    parts = aiohttp_jinja2.get_env(request.app).get_template("chat_parts.html").module
    controls = _choices(replies, house, request)
    next_id = new_message_id()
    return web.json_response(
        {
            "replies": replies,
            "html": str(parts.bot_lines(replies)),
            "choices": str(
                parts.choices(
                    controls["buttons"],
                    csrf_token(token),
                    controls["scale"],
                    controls["ends"],
                    controls["picture"],
                    next_id,
                )
            ),
            "message_id": next_id,
        }
    )


def new_message_id() -> str:
    """The id each form of the page carries: the message it sends, sent again after a
    failed request, is the same message (bot/retries.py)."""
    return secrets.token_urlsafe(12)


def _message_key(form, message: str) -> str | None:
    """The id Rasa is given: the form's, with the words, so that other words sent with the
    same id (typed afresh after a failure, or a button instead) are a message of their own."""
    try:
        given = message_id(form.get("message_id"))
    except ValueError:
        return None
    if given is None:
        return None
    return f"web:{given}:{hashlib.sha256(message.encode()).hexdigest()[:32]}"


async def start(request: web.Request) -> web.Response:
    try:
        return await _start(request)
    except (CannotSave, *DATABASE_DOWN):
        return _start_page(request, CANT_SAVE, status=503)


async def _start(request: web.Request) -> web.Response:
    if not from_this_site(request):
        return _start_page(request, OTHER_SITE, status=403)
    code = (await request.post()).get("code", "")
    code = code.strip() if isinstance(code, str) else ""  # a file is no code
    if not code or too_long(request.app, code):
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
    response = redirect("/chat")  # the first page from its top: where to find a private place
    # The session's cookie outlives IDLE: the server ends a quiet chat itself.
    set_private_cookie(request, response, COOKIE, token, int(IDLE.total_seconds()) * 16)
    set_private_cookie(request, response, DEVICE, device, DEVICE_LIFETIME)
    return response


async def send(request: web.Request) -> web.Response:
    form = await request.post()
    token = request.cookies.get(COOKIE)
    # A file posted as a field (multipart) is not words: only the picture form takes one.
    words = all(isinstance(value, str) for value in form.values())
    message = str(form.get("message", "")).strip() if words else ""
    sent_as = form.get("message_id") if words else None
    try:
        return await _send(request, token, form, words, message, sent_as)
    except (CannotSave, *DATABASE_DOWN):  # nothing saved: said, and what was typed stays
        return _cannot_save(request, token, message, sent_as)


def _cannot_save(request, token, typed="", sent_as=None) -> web.Response:
    """The database did not answer: said, with what was typed, never as a fresh start."""
    if wants_json(request):
        return web.json_response({"error": CANT_SAVE}, status=503)
    if token is None:  # no chat on this browser yet
        return _start_page(request, CANT_SAVE, status=503, typed=typed)
    return _talk_page(request, token, [], None, CANT_SAVE, typed, 503, sent_as)


async def _send(request, token, form, words: bool, message: str, sent_as) -> web.Response:
    # whose chat, and the question it is at (shown again if not sent)
    sender, recent, house = await _chat_now(request, token)
    if sender is None:  # the chat closed while they were typing: their words stay with them
        if wants_json(request):
            return web.json_response({"ended": True, "error": CLOSED}, status=401)
        return _start_page(request, CLOSED, typed=message, status=401)
    if not from_this_site(request) or not csrf_ok(token, form.get("csrf")):
        if wants_json(request):
            return web.json_response({"error": SEND_AGAIN}, status=400)
        return _talk_page(request, token, recent, house, SEND_AGAIN, message, 400, sent_as)
    refused = ONLY_WORDS if not words else TOO_LONG if too_long(request.app, message) else None
    if refused:  # said before anything reaches Rasa; what was typed stays in the box
        if wants_json(request):
            return web.json_response({"error": refused}, status=400)
        return _talk_page(request, token, recent, house, refused, message, 400, sent_as)
    if not message:
        return redirect(ANSWER) if not wants_json(request) else web.json_response({"replies": []})
    try:
        replies = await say(request.app, sender, message, _message_key(form, message))
    except RasaUnavailable:
        if wants_json(request):
            return web.json_response({"error": NOT_ANSWERING}, status=503)
        return _talk_page(request, token, recent, house, NOT_ANSWERING, message, 503, sent_as)
    shown = recent[-1]["replies"] if recent else []
    _, house = await _keep(request, token, replies, _said(message, shown))
    if wants_json(request):
        return _answer_json(request, token, replies, house)
    return redirect(ANSWER)


async def _read_picture(request: web.Request, limit_mb: float) -> tuple[dict, bytes, bool]:
    """The form's fields and the file's bytes, read as they come: no field beyond its limit
    is held, and a body far beyond the picture's limit is not read at all. (fields, data,
    too big.) ValueError: not our form (a field too long, too many parts, not multipart)."""
    picture_limit = limit_mb * 1024 * 1024
    if (request.content_length or 0) > 2 * picture_limit:
        return {}, b"", True
    fields, data = {}, b""
    reader = await request.multipart()
    for _ in range(MOST_PARTS):
        part = await reader.next()
        if part is None:
            return fields, data, False
        if not isinstance(part, BodyPartReader):  # a multipart inside the multipart
            raise ValueError("a nested multipart")
        read = await _read_within(part, picture_limit if part.name == "picture" else FIELD_LIMIT)
        if read is None and part.name == "picture":
            return fields, b"", True  # the rest is left unread
        if read is None:
            raise ValueError(f"the field {part.name!r} is too long")
        if part.name == "picture":
            data = read
        else:
            fields[part.name] = read.decode("utf-8", "replace")
    raise ValueError("too many parts")


async def _read_within(part: BodyPartReader, limit: float) -> bytes | None:
    """A part's bytes, or None as soon as they pass the limit (the rest is not read)."""
    chunks, size = [], 0
    while chunk := await part.read_chunk():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def send_picture(request: web.Request) -> web.Response:
    """A drawing or photo from a child at one of her houses (a plain multipart form, with
    or without JavaScript): checked, made anew and kept in one transaction, or refused
    kindly with nothing kept. Nothing is read from a request without a live chat."""
    token = request.cookies.get(COOKIE)
    limit = request.app[SETTINGS].picture_max_mb
    sender, recent, house = await _chat_now(request, token)
    if sender is None:
        return _start_page(request, CLOSED, status=401)
    try:
        fields, data, over = await _read_picture(request, limit)
    except (ValueError, AssertionError):  # not our form: refused below, as it has no token
        fields, data, over = {}, b"", False
    if over:  # said first: a picture too big to read has no token after it, and sending
        # it again would only be refused again (nothing is kept either way)
        return _talk_page(request, token, recent, house, too_big_words(limit), status=400)
    if not from_this_site(request) or not csrf_ok(token, fields.get("csrf")):
        return _talk_page(request, token, recent, house, SEND_AGAIN, status=400)
    try:
        clean = await asyncio.to_thread(clean_picture, data, limit)
    except PictureRefused as refused:
        return _talk_page(request, token, recent, house, str(refused), status=400)
    shown = recent[-1]["replies"] if recent else []

    def keep(session):
        chat = live_chat(session, token)
        if chat is None:
            raise PictureRefused(CLOSED)
        thanks = take_picture(session, chat.sender, load_agenda(), clean)
        # The question's buttons stay under the thanks: she is still at the same question.
        buttons = (shown[-1].get("buttons") or []) if shown else []
        keep_replies(chat, [{"text": thanks, "buttons": buttons}], PICTURE_SAID)

    try:
        await in_transaction(request.app, keep)
    except PictureRefused as refused:
        return _talk_page(request, token, recent, house, str(refused), status=400)
    return redirect(ANSWER)


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
