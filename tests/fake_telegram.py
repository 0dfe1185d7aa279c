"""A local stand-in for Telegram's Bot API: python-telegram-bot reaches it through its
`base_url`. It records every call (method and parameters) and answers as Telegram does."""

from __future__ import annotations

import itertools
import json
import time

from aiohttp import web

from tests.fake_server import LoopbackServer

TOKEN = "123456:TEST-TOKEN"
SECRET = "a-webhook-secret-of-forty-characters-xx"
BOT = {"id": 123456, "is_bot": True, "first_name": "Companion", "username": "companion_bot"}


class FakeTelegram(LoopbackServer):
    def __init__(self):
        super().__init__()
        self.calls: list[tuple[str, dict]] = []
        self.files: dict[str, bytes] = {}  # file_id -> bytes, for getFile and its download
        self._ids = itertools.count(1)

    def environment(self) -> dict:
        return {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_BASE_URL": f"{self.url}/bot",
        }

    def sent(self, chat_id: int, after: int = 0) -> list[dict]:
        """The messages sent to a chat, from call number `after` on."""
        return [
            params
            for method, params in self.calls[after:]
            if method == "sendMessage" and int(params["chat_id"]) == chat_id
        ]

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return web.json_response({"ok": False, "error_code": 401}, status=401)
        method = request.match_info["method"]
        posted = await request.post() if request.can_read_body else {}
        params = {}
        for name, value in posted.items():
            try:
                params[name] = json.loads(value)
            except (TypeError, ValueError):
                params[name] = value
        result = self._result(method, params)
        if method == "sendMessage":
            params["_message_id"] = result["message_id"]  # for tests to tap its buttons
        self.calls.append((method, params))
        return web.json_response({"ok": True, "result": result})

    def _result(self, method: str, params: dict):
        if method == "getMe":
            return BOT
        if method == "sendMessage":
            return {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params.get("text", ""),
            }
        if method == "getUpdates":
            return []
        if method == "getFile":
            file_id = str(params["file_id"])
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": len(self.files.get(file_id, b"")),
                "file_path": f"photos/{file_id}.jpg",
            }
        return True

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/photos/{name}", self._download)

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return web.Response(status=401)
        file_id = request.match_info["name"].removesuffix(".jpg")
        if file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])
