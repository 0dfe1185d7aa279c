"""The staff's pages are kept by no cache: their list names the children of every
conference, and a sign-in page carries its link's token."""

from __future__ import annotations

import aiohttp

from bot.web.app import create_app
from tests.conftest import conference_with
from tests.test_invites_outreach import FAMILY
from tests.test_staff import add, link_for, sign_in


async def test_the_staffs_list_and_sign_in_page_are_not_cached(aiohttp_client, database):
    conference_with(database, FAMILY)
    client = await aiohttp_client(
        create_app(database.settings), cookie_jar=aiohttp.DummyCookieJar()
    )
    priya = add(database, "Priya Shah", "priya.shah@example.gov.uk", "coordinator")
    signed_in = await sign_in(client, database, priya)

    listed = await client.get("/conferences", headers=signed_in)
    assert listed.status == 200 and "Ava (9)" in await listed.text()
    assert listed.headers["Cache-Control"] == "no-store"
    signing_in = await client.get(f"/staff/sign-in/{link_for(database, priya)}")
    assert signing_in.status == 200
    assert signing_in.headers["Cache-Control"] == "no-store"
