"""Whole conversations through a REST webhook, many at once, timed turn by turn."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field

import aiohttp


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

    def percentile(self, p: int) -> float:
        if len(self.seconds) < 2:
            return self.seconds[0] if self.seconds else float("nan")
        return statistics.quantiles(self.seconds, n=100, method="inclusive")[p - 1]


async def _talk(http, webhook: str, conversation: Conversation, run: Run) -> None:
    for message, expect in conversation.turns:
        began = time.perf_counter()
        try:
            async with http.post(
                webhook, json={"sender": conversation.sender, "message": message}
            ) as response:
                replies = await response.json() if response.status == 200 else None
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            replies, reason = None, repr(error)
        else:
            reason = f"HTTP {response.status}"
        run.seconds.append(time.perf_counter() - began)
        if replies is None:
            run.errors.append(f"{conversation.sender}: {message!r}: {reason}")
            return  # a conversation that lost its way is not measured further
        last = (replies[-1].get("text") or "") if replies else ""
        if expect and expect not in last:
            run.errors.append(f"{conversation.sender}: {message!r} got {last[:60]!r}")
            return


async def _drive(webhook: str, conversations: list[Conversation], at_once: int) -> Run:
    run = Run()
    waiting = asyncio.Queue()
    for conversation in conversations:
        waiting.put_nowait(conversation)

    async def worker(http):
        while not waiting.empty():
            await _talk(http, webhook, waiting.get_nowait(), run)

    timeout = aiohttp.ClientTimeout(total=300)
    connector = aiohttp.TCPConnector(limit=at_once)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        began = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(at_once)))
        run.elapsed = time.perf_counter() - began
    return run


def drive(webhook: str, conversations: list[Conversation], at_once: int) -> Run:
    """The conversations, `at_once` of them at a time, each turn waiting for its reply."""
    return asyncio.run(_drive(webhook, conversations, at_once))
