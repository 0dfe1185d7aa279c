"""Rasa's REST channel, where a message is only ever what the person typed.

Rasa reads a message that starts with "/" as a developer's `/intent{entities}`, after the
NLU pipeline: a participant could type "/disclosure" to raise alerts at will, or hide words
behind "/inform". Here such a message gets an invisible mark in front, so Rasa takes it as
plain text; the action server takes the mark off again (bot/actions/store.py). Only
`/start CODE` (which Telegram's deep links send) or a pasted code is a start, and it
reaches Rasa as `/start{"invite_code": HASH}`: no code is ever in Rasa's tracker or log.

The body may carry a `message_id`, passed to the action server in the message's metadata:
the same id from the same sender again gets the same replies and is not handled twice
(bot/retries.py). A message that was not answered (the database did not answer, or the
turn failed and said nothing) gets 503 with what was said, so that it is sent again.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic import response
from sanic.request import Request

from bot.codes import BARE_CODE, find_start, start_message
from bot.retries import CANT_SAVE, message_id
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

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = super().get_metadata(request)
        given = message_id(request.json.get("message_id"))  # checked before: see blueprint
        if given is None:
            return metadata
        return {**(metadata if isinstance(metadata, dict) else {}), "message_id": given}

    def blueprint(self, on_new_message):
        webhook = super().blueprint(on_new_message)
        webhook.on_request(refuse_what_is_not_a_message)
        webhook.on_request(refuse_too_long)

        @webhook.on_request
        async def refuse_a_bad_id(request: Request):
            if request.method == "POST" and isinstance(request.json, dict):
                try:
                    message_id(request.json.get("message_id"))
                except ValueError as error:
                    return response.json({"error": str(error)}, status=400)
            return None

        @webhook.on_response
        async def unanswered(request: Request, answer):
            if request.method == "POST" and answer.status == 200 and not answered(answer):
                answer.status = 503

        return webhook


def answered(answer) -> bool:
    """False when the replies say nothing was saved, or there are none (every turn says
    something: none means it failed on the way)."""
    body = getattr(answer, "body", None)
    if body is None:  # a stream
        return True
    try:
        replies = json.loads(body)
    except ValueError:
        return True
    if not isinstance(replies, list):
        return True
    return bool(replies) and not any(reply.get("text") == CANT_SAVE for reply in replies)


SENDER_MAX_CHARS = 256


async def refuse_what_is_not_a_message(request: Request):
    """A body that is not {"sender": text, "message": text} is a 400 before Rasa reads it
    (Rasa's own reading of a list, or of a number as the message, is a 500)."""
    if request.method != "POST":
        return None
    body = request.json
    sender = body.get("sender") if isinstance(body, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    if (
        not isinstance(sender, str)
        or not sender
        or len(sender) > SENDER_MAX_CHARS
        or not isinstance(message, str)
    ):
        return response.json({"error": 'Send {"sender": text, "message": text}.'}, status=400)
    return None


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
