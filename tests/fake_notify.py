"""A local stand-in for the GOV.UK Notify API: the real client talks to it through its
base URL. It records every request and answers as Notify does (or fails, when told to)."""

from __future__ import annotations

import asyncio
import socket
import threading
import uuid

from aiohttp import web

SERVICE_ID = str(uuid.uuid4())
API_KEY = f"companion_test-{SERVICE_ID}-{uuid.uuid4()}"
EMAIL_TEMPLATE = str(uuid.uuid4())
SMS_TEMPLATE = str(uuid.uuid4())


class FakeNotify:
    def __init__(self):
        self.received: list[dict] = []
        self.failures_to_give = 0
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._ready = threading.Event()

    def environment(self) -> dict:
        return {
            "NOTIFY_API_KEY": API_KEY,
            "NOTIFY_BASE_URL": self.url,
            "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE,
            "NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE,
            "COMPANION_NOTIFY_INTERVAL": "0.5",
        }

    async def _notification(self, request: web.Request) -> web.Response:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return web.json_response({"errors": [{"error": "AuthError"}]}, status=403)
        body = await request.json()
        if self.failures_to_give:
            self.failures_to_give -= 1
            return web.json_response({"errors": [{"error": "Exception"}]}, status=500)
        self.received.append({"path": request.path, **body})
        return web.json_response({"id": str(uuid.uuid4())}, status=201)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/v2/notifications/email", self._notification)
        app.router.add_post("/v2/notifications/sms", self._notification)
        runner = web.AppRunner(app)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> "FakeNotify":
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
