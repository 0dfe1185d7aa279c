"""One Telegram update in, Rasa's replies out.

The Rasa sender is a keyed hash of the chat id, never the id itself. Text (and `/start
CODE` from a deep link) goes to Rasa as typed; a tap sends the button's payload, found by
its position among the buttons the chat was last shown (Telegram allows 64 bytes of data on
a button; our payloads are words). A photo from a child at one of her houses is kept as
her picture (bot/web/telegram.py, bot/picture_sent.py); other photos, voice notes,
stickers, locations, contacts and edited messages get a friendly reply and go nowhere:
locations and contacts are never kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit

from bot.chat_client import is_scale
from bot.model.tables import TelegramChat
from bot.picture_sent import ONLY_WORDS  # noqa: F401 (a photo from anyone but a child at a house)

log = logging.getLogger("companion.telegram")
SENDER_PREFIX = "tg:"
NOT_EDITS = (
    "I cannot read changes to a message. I kept what you sent first. To change it, type "
    "back, or send the new words again."
)
STALE_TAP = (
    "Those buttons are from an earlier question, so I did not use them. Please use the "
    "buttons on the latest question, or type your answer."
)
NOT_IN_GROUPS = "Please message me directly, not in a group: your answers are private."


def sender_for(key: bytes, chat_id: int) -> str:
    digest = hmac.new(key, str(chat_id).encode(), hashlib.sha256).hexdigest()
    return SENDER_PREFIX + digest[:40]


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Telegram takes 4,096 characters a message: longer text goes in parts, broken at a
    line or a space where there is one."""
    parts = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*parts, text] if text else parts


def keyboard(buttons: list[dict]) -> InlineKeyboardMarkup | None:
    """Inline buttons: 0-10 in two rows, any other choice one to a row."""
    if not buttons:
        return None
    keys = [
        InlineKeyboardButton(button["title"], callback_data=str(index))
        for index, button in enumerate(buttons)
    ]
    rows = [keys[:6], keys[6:]] if is_scale(buttons) else [[key] for key in keys]
    return InlineKeyboardMarkup([row for row in rows if row])


def remember_buttons(
    session: Session, sender: str, buttons: list[dict], message_id: int | None
) -> int | None:
    """Keep the buttons now shown and the message they are on; the message that had the
    buttons before, whose keyboard should go."""
    chat = session.get(TelegramChat, sender) or TelegramChat(sender=sender)
    before = chat.keyboard_message_id
    chat.buttons = json.dumps(buttons, ensure_ascii=False)
    chat.keyboard_message_id = message_id
    session.add(chat)
    return before if before != message_id else None


def tapped(session: Session, sender: str, data: str | None, message_id: int) -> str | None:
    """The payload of the button tapped, or None for a tap on an older message's keyboard
    (it would answer the wrong question) or one we cannot read."""
    chat = session.get(TelegramChat, sender)
    if chat is None or chat.keyboard_message_id != message_id or not chat.buttons:
        return None
    buttons = json.loads(chat.buttons)
    if data is None or not data.isdigit() or int(data) >= len(buttons):
        return None
    return str(buttons[int(data)]["payload"])


def what_came(update: Update) -> tuple[str, object]:
    """("text", words) / ("tap", callback query) / ("edited", message) / ("other", message)."""
    if update.callback_query is not None:
        return "tap", update.callback_query
    if update.edited_message is not None:
        return "edited", update.edited_message
    message = update.message
    if message is None:
        return "ignored", None
    if message.text is not None:
        return "text", message
    return "other", message
