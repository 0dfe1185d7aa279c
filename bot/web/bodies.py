"""What the web app takes in a request's body: at most BODY_MAX_BYTES, read within
COMPANION_BODY_TIMEOUT_SECONDS, and a form that can be read. Otherwise the person gets a
plain page in the house style (JSON for chat.js and other JSON clients), not aiohttp's bare
text or a 500; a body that never finishes no longer holds its connection open. The
picture form reads its own body as it comes and says its own words for a picture too big
(bot/web/chat.py)."""

from __future__ import annotations

import asyncio

import aiohttp_jinja2
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from bot.web.keys import SETTINGS

BODY_MAX_BYTES = 1024**2  # aiohttp's client_max_size: forms and Telegram's updates are small
TOO_BIG = (
    "That was too much to send in one go",
    "Nothing of it was kept. Go back and send it in shorter parts.",
)
UNREADABLE = (
    "That form could not be read",
    "Nothing of it was kept. Go back, reload the page and try again.",
)
READS_ITS_OWN = {"chat_picture"}  # reads its body as it comes (bot/web/chat.py)
TOO_SLOW = (
    "That took too long to arrive",
    "Nothing of it was kept. Check your connection, then go back and send it again.",
)


def wants_json(request: web.Request) -> bool:
    """chat.js, and clients that send JSON (Telegram), read JSON back."""
    return "application/json" in request.headers.get("Accept", "") or request.content_type == (
        "application/json"
    )


def refused(request: web.Request, status: int, words: tuple[str, str]) -> web.Response:
    heading, text = words
    if wants_json(request):
        return web.json_response({"error": f"{heading}. {text}"}, status=status)
    return aiohttp_jinja2.render_template(
        "chair/refused.html", request, {"heading": heading, "text": text}, status=status
    )


@web.middleware
async def body_limits(request: web.Request, handler):
    if not request.body_exists:
        return await handler(request)
    loop = asyncio.get_running_loop()
    slow = False

    def unfinished():
        nonlocal slow
        if not request.content.is_eof():  # the body never arrived whole (a slow handler
            slow = True  # with its body in hand is not stopped here)
            deadline.reschedule(loop.time())

    timer = loop.call_later(request.app[SETTINGS].body_timeout, unfinished)
    try:
        async with asyncio.timeout(None) as deadline:
            if request.method == "POST" and request.match_info.route.name not in READS_ITS_OWN:
                try:  # read here once; handlers have it from aiohttp's cache
                    await request.post()
                except (
                    ValueError,
                    AssertionError,
                    HttpProcessingError,
                    LookupError,
                    RuntimeError,
                ):  # bytes not UTF-8, a multipart broken, a charset or
                    # transfer encoding unknown (aiohttp: RuntimeError): a 400, not a 500
                    return refused(request, 400, UNREADABLE)
            return await handler(request)
    except TimeoutError:
        if not slow:
            raise
        response = refused(request, 408, TOO_SLOW)
        await response.prepare(request)
        await response.write_eof()
        request.protocol.force_close()  # sent, then closed: not waited on for the rest
        return response
    except web.HTTPRequestEntityTooLarge:
        return refused(request, 413, TOO_BIG)
    finally:
        timer.cancel()
