"""A local stand-in for the GOV.UK Notify API: the real client talks to it through its
base URL. It records every request and answers as Notify does (or fails, when told to):
it refuses a contact it is told to refuse with Notify's 400 ValidationError (or, for a
problem of the service's set-up, its 400 BadRequestError), and reports
each message's delivery status (delivered, unless a test sets another)."""

from __future__ import annotations

import json
import uuid

from aiohttp import web

from tests.fake_server import LoopbackServer

SERVICE_ID = str(uuid.uuid4())
API_KEY = f"companion_test-{SERVICE_ID}-{uuid.uuid4()}"
EMAIL_TEMPLATE = str(uuid.uuid4())
SMS_TEMPLATE = str(uuid.uuid4())
INVITE_EMAIL_TEMPLATE = str(uuid.uuid4())
INVITE_SMS_TEMPLATE = str(uuid.uuid4())
REMINDER_EMAIL_TEMPLATE = str(uuid.uuid4())
REMINDER_SMS_TEMPLATE = str(uuid.uuid4())


class FakeNotify(LoopbackServer):
    def __init__(self):
        super().__init__()
        self.received: list[dict] = []
        self.failures_to_give = 0
        self.refused: set[str] = set()  # email addresses and numbers Notify will not take
        # A contact -> the words of a 400 BadRequestError Notify gives for it (the service's
        # set-up, not the contact: "Can't send to this recipient using a team-only API key")
        self.bad_requests: dict[str, str] = {}
        self.statuses: dict[str, str] = {}  # a message's id -> its delivery status

    def about(self, *values: str, since: int = 0) -> list[dict]:
        """The messages received (from the `since`th on) whose fields hold one of `values`
        (an invite's code, a conference's id in its link): those a test is about, whatever
        the session's running services send meanwhile (their own invites and reminders)."""
        return [
            message
            for message in self.received[since:]
            if any(
                value and value in json.dumps(message.get("personalisation", {}))
                for value in values
            )
        ]

    def environment(self) -> dict:
        return {
            "NOTIFY_API_KEY": API_KEY,
            "NOTIFY_BASE_URL": self.url,
            "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE,
            "NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE,
            "NOTIFY_INVITE_EMAIL_TEMPLATE_ID": INVITE_EMAIL_TEMPLATE,
            "NOTIFY_INVITE_SMS_TEMPLATE_ID": INVITE_SMS_TEMPLATE,
            "NOTIFY_REMINDER_EMAIL_TEMPLATE_ID": REMINDER_EMAIL_TEMPLATE,
            "NOTIFY_REMINDER_SMS_TEMPLATE_ID": REMINDER_SMS_TEMPLATE,
            "COMPANION_NOTIFY_INTERVAL": "0.5",
        }

    async def _notification(self, request: web.Request) -> web.Response:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return web.json_response({"errors": [{"error": "AuthError"}]}, status=403)
        body = await request.json()
        if self.failures_to_give:
            self.failures_to_give -= 1
            return web.json_response({"errors": [{"error": "Exception"}]}, status=500)
        refusal = self._refusal(body)
        if refusal is not None:
            return web.json_response({"errors": [refusal], "status_code": 400}, status=400)
        notification_id = str(uuid.uuid4())
        self.received.append({"path": request.path, "id": notification_id, **body})
        self.statuses.setdefault(notification_id, "delivered")
        return web.json_response({"id": notification_id}, status=201)

    def _refusal(self, body: dict) -> dict | None:
        """Notify's 400 error for a message it is told to refuse, or None."""
        recipient = body.get("email_address") or body.get("phone_number")
        if recipient in self.bad_requests:
            return {"error": "BadRequestError", "message": self.bad_requests[recipient]}
        if recipient in self.refused:
            field = "email_address" if "email_address" in body else "phone_number"
            problem = "Not a valid email address" if "@" in recipient else "Not a UK mobile number"
            return {"error": "ValidationError", "message": f"{field} {problem}"}
        return None

    async def _status(self, request: web.Request) -> web.Response:
        """GET /v2/notifications/{id}: how the message went."""
        notification_id = request.match_info["notification_id"]
        if notification_id not in self.statuses:
            return web.json_response(
                {"errors": [{"error": "NoResultFound", "message": "No result found"}]},
                status=404,
            )
        return web.json_response({"id": notification_id, "status": self.statuses[notification_id]})

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v2/notifications/email", self._notification)
        app.router.add_post("/v2/notifications/sms", self._notification)
        app.router.add_get("/v2/notifications/{notification_id}", self._status)
