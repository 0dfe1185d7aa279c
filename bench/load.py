"""Whole conversations through a REST webhook, many at once, timed turn by turn."""

from __future__ import annotations

import asyncio
import html
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
from yarl import URL

from bot.web.chat import COOKIE
from bot.web.csrf import csrf_token


@dataclass
class Conversation:
    sender: str
    turns: list[tuple[str, str]]  # what is sent, words the last reply must contain ("" any)


@dataclass
class Run:
    seconds: list[float] = field(default_factory=list)  # one per turn, in order
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def turns_per_second(self) -> float:
        return len(self.seconds) / self.elapsed if self.elapsed else 0.0

    def add(self, other: Run) -> None:
        """Another run's turns and time with these (runs taken in turn, one figure)."""
        self.seconds += other.seconds
        self.errors += other.errors
        self.elapsed += other.elapsed

    def percentile(self, p: int) -> float:
        if len(self.seconds) < 2:
            return self.seconds[0] if self.seconds else float("nan")
        return statistics.quantiles(self.seconds, n=100, method="inclusive")[p - 1]


# One message sent: (the last reply's words, or None when it failed; why it failed).
Send = Callable[[aiohttp.ClientSession, str, str], Awaitable[tuple[str | None, str]]]


def webhook(url: str) -> Send:
    """Straight to a REST webhook, as the bench's Rasa-side figures are taken."""

    async def send(http, sender: str, message: str):
        async with http.post(url, json={"sender": sender, "message": message}) as response:
            if response.status != 200:
                return None, f"HTTP {response.status}"
            replies = await response.json()
        return ((replies[-1].get("text") or "") if replies else ""), ""

    return send


def web_chat(base: str) -> Send:
    """Through the web app, as chat.js does it: the invite's code opens the chat (then the
    page), each message is a form with its CSRF token and a message id, the replies JSON.
    The web app chooses the Rasa server and the sender id."""

    async def send(http, _sender: str, message: str):
        if message.startswith("/start "):
            code = {"code": message.removeprefix("/start ")}
            async with http.post(f"{base}/chat/start", data=code) as response:  # and the page
                page = html.unescape(await response.text())
            return (page, "") if response.status == 200 else (None, f"HTTP {response.status}")
        token = http.cookie_jar.filter_cookies(URL(base))[COOKIE].value
        form = {"message": message, "csrf": csrf_token(token), "message_id": uuid.uuid4().hex}
        json_please = {"Accept": "application/json"}
        async with http.post(f"{base}/chat/say", data=form, headers=json_please) as response:
            if response.status != 200:
                return None, f"HTTP {response.status}"
            replies = (await response.json())["replies"]
        return ((replies[-1]["text"] or "") if replies else ""), ""

    return send


async def _talk(http, send: Send, conversation: Conversation, run: Run) -> None:
    for message, expect in conversation.turns:
        began = time.perf_counter()
        try:
            last, reason = await send(http, conversation.sender, message)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            last, reason = None, repr(error)
        run.seconds.append(time.perf_counter() - began)
        if last is None:
            run.errors.append(f"{conversation.sender}: {message!r}: {reason}")
            return  # a conversation that lost its way is not measured further
        if expect and expect not in last:
            run.errors.append(f"{conversation.sender}: {message!r} got {last[-60:]!r}")
            return


async def _drive(send: Send, conversations: list[Conversation], at_once: int) -> Run:
    run = Run()
    waiting = asyncio.Queue()
    for conversation in conversations:
        waiting.put_nowait(conversation)
    timeout = aiohttp.ClientTimeout(total=300)
    connector = aiohttp.TCPConnector(limit=at_once)

    async def worker():
        while not waiting.empty():
            # Each conversation its own cookies (a person's browser), the connections shared.
            async with aiohttp.ClientSession(
                timeout=timeout,
                connector=connector,
                connector_owner=False,
                cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies from 127.0.0.1 too
            ) as http:
                await _talk(http, send, waiting.get_nowait(), run)

    async with connector:
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(at_once)))
        run.elapsed = time.perf_counter() - began
    return run


def drive(send: Send | str, conversations: list[Conversation], at_once: int) -> Run:
    """The conversations, `at_once` of them at a time, each turn waiting for its reply;
    `send` is a webhook's address or how to send (webhook, web_chat)."""
    send = webhook(send) if isinstance(send, str) else send
    return asyncio.run(_drive(send, conversations, at_once))
