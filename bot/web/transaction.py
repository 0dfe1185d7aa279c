"""Database work from a request handler: in a worker thread, so a slow query never holds
up the event loop (the web chat, Telegram and other chairs), in one transaction."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.web.keys import DATABASE


async def in_transaction(app: web.Application, work):
    """`work(session)`, committed; its result."""

    def run():
        with app[DATABASE].session() as session, session.begin():
            return work(session)

    return await asyncio.to_thread(run)
