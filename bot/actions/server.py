"""The action server: our actions (rasa-sdk's executor) behind a small aiohttp app that
answers Rasa alone.

Rasa sends `Authorization: Bearer <token>` with every call (endpoints.yml); anything else
gets 401 before an action runs. An error answers with a generic message and logs where it
happened, never the tracker a call carries (rasa-sdk's own server echoes it back). aiohttp
is the web app's framework too: one framework, on a current release, faces a request.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys
import traceback

from aiohttp import web
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)

from bot import log_privacy
from bot.private_files import private_by_default
from bot.settings import ACTION_TOKEN, load_settings

logger = logging.getLogger(__name__)
# rasa-sdk's own answers when an action cannot run, as Rasa expects them.
REFUSED = {ActionExecutionRejection: 400, ActionNotFoundException: 404}
REFUSED[ActionMissingDomainException] = 449
MAX_CALL_BYTES = 100 * 2**20  # as rasa-sdk's own server allowed


def build_app(token: str) -> web.Application:
    executor = ActionExecutor()
    executor.register_package("bot.actions")
    expected = f"Bearer {token}".encode()

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return web.json_response({"error": "Not allowed."}, status=401)
        try:
            action_call = await request.json()
        except ValueError:
            return web.json_response({"error": "Invalid body request"}, status=400)
        try:
            result = await executor.run(action_call)
        except tuple(REFUSED) as refused:
            body = {"error": refused.message, "action_name": refused.action_name}
            return web.json_response(body, status=REFUSED[type(refused)])
        except Exception as error:  # noqa: BLE001  any failure: say so, log where, no tracker
            where = "".join(traceback.format_tb(error.__traceback__))
            logger.error("An action failed with %s at\n%s", type(error).__name__, where)
            return web.json_response({"error": "The action failed."}, status=500)
        return web.json_response(result.model_dump() if result else None)

    # Rasa sends the whole tracker and the domain with every call: well over aiohttp's 1 MiB.
    app = web.Application(client_max_size=MAX_CALL_BYTES)
    app.add_routes([web.get("/health", health), web.post("/webhook", webhook)])
    return app


def main() -> int:
    private_by_default()  # its logs and files are ours alone
    token = os.environ.get(ACTION_TOKEN, "")
    if len(token) < 32:
        print(f"{ACTION_TOKEN} must be set (32 characters or more).", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    log_privacy.install()
    settings = load_settings()
    web.run_app(
        build_app(token), host=settings.host, port=settings.action_port, print=None, access_log=None
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
