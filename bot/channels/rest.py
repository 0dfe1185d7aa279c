"""Rasa's REST channel, where a message is only ever what the person typed.

Rasa reads a message that starts with "/" as a developer's `/intent{entities}`, after the
NLU pipeline: a participant could type "/disclosure" to raise alerts at will, or hide words
behind "/inform". Here such a message gets an invisible mark in front, so Rasa takes it as
plain text; the action server takes the mark off again (bot/actions/store.py). Only
`/start CODE` (which Telegram's deep links send) or a pasted code is a start, and it
reaches Rasa as `/start{"invite_code": HASH}`: no code is ever in Rasa's tracker or log.
"""

from __future__ import annotations

from typing import Optional, Text

from rasa.core.channels.rest import RestInput
from sanic import response
from sanic.request import Request

from bot.codes import BARE_CODE, find_start, start_message
from bot.settings import load_settings
from bot.typed import TOO_LONG, as_plain_text

MAX_CHARS = load_settings().message_max_chars  # Rasa has our environment too


class PlainTextRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"  # the same address: /webhooks/rest/webhook

    def _extract_message(self, req: Request) -> Optional[Text]:
        text = super()._extract_message(req)
        return None if text is None else plain_text(text)

    def blueprint(self, on_new_message):
        webhook = super().blueprint(on_new_message)
        webhook.on_request(refuse_too_long)
        return webhook


async def refuse_too_long(request: Request):
    """A message over COMPANION_MESSAGE_MAX_CHARS, sent to the webhook directly, is
    answered kindly (413, in the replies' own shape) and never reaches NLU: a huge one
    would hold Rasa up for everyone. The web app and Telegram refuse it before it comes."""
    if request.method != "POST" or not isinstance(request.json, dict):
        return None
    message = request.json.get("message")
    if isinstance(message, str) and len(message) > MAX_CHARS:
        reply = {"recipient_id": request.json.get("sender"), "text": TOO_LONG}
        return response.json([reply], status=413)
    return None


def plain_text(text: str) -> str:
    """The message Rasa should read: `/start`, `/start CODE` or a code alone as a start,
    the code hashed (a bot name, "/start@ourbot CODE", dropped); anything else starting
    with "/" marked as text, so that "/start@1 he hits me" cannot pass as a start."""
    is_start, code = find_start(text)
    if is_start and (code is None or BARE_CODE.match(code)):
        return start_message(code)
    return as_plain_text(text)
