"""The action server: rasa_sdk's app, answering Rasa alone.

Rasa sends `Authorization: Bearer <token>` with every call (endpoints.yml); anything else
gets 401 before an action runs. An error answers with a generic message and logs where it
happened, never the tracker a call carries (rasa_sdk's own handler echoes it back).
"""

from __future__ import annotations

import hmac
import logging
import os
import sys
import traceback

from rasa_sdk.endpoint import create_app
from sanic import response
from sanic.exceptions import SanicException

from bot import log_privacy
from bot.private_files import private_by_default
from bot.settings import ACTION_TOKEN, load_settings

logger = logging.getLogger(__name__)
OPEN_PATHS = ("/health",)


def build_app(token: str):
    app = create_app("bot.actions", cors_origins=None)
    expected = f"Bearer {token}".encode()

    @app.middleware("request")
    async def only_rasa(request):
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return response.json({"error": "Not allowed."}, status=401)
        return None

    @app.exception(Exception)
    async def failed(request, exception):
        if isinstance(exception, SanicException):  # 404, 405, a bad request: not an action
            return response.json({"error": "Not found."}, status=exception.status_code)
        where = "".join(traceback.format_tb(exception.__traceback__))
        logger.error("An action failed with %s at\n%s", type(exception).__name__, where)
        return response.json({"error": "The action failed."}, status=500)

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
    build_app(token).run(settings.host, settings.action_port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
