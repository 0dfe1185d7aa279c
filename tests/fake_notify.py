"""A local stand-in for the GOV.UK Notify API: the real client talks to it through its
base URL. It records every request and answers as Notify does (or fails, when told to)."""

from __future__ import annotations

import uuid

from aiohttp import web

from tests.fake_server import LoopbackServer

SERVICE_ID = str(uuid.uuid4())
API_KEY = f"companion_test-{SERVICE_ID}-{uuid.uuid4()}"
EMAIL_TEMPLATE = str(uuid.uuid4())
SMS_TEMPLATE = str(uuid.uuid4())


class FakeNotify(LoopbackServer):
    def __init__(self):
        super().__init__()
        self.received: list[dict] = []
        self.failures_to_give = 0

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

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v2/notifications/email", self._notification)
        app.router.add_post("/v2/notifications/sms", self._notification)
