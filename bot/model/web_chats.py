"""Web chat sessions: a random token in the browser's cookie, our own sender id for Rasa.

The sender id is made here, never taken from the browser: Rasa's REST channel trusts
whatever sender it is given. A session ends when the person presses Exit, or after
IDLE of quiet, so a shared phone left on the page does not stay in the chat.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.codes import hash_code
from bot.model.tables import Invite, WebChat, utcnow
from bot.model.tokens import by_token, new_token

IDLE = timedelta(minutes=30)
SENDER_PREFIX = "web:"
RECENT_TURNS = 6  # shown again on a reload: the question and what led to it


@dataclass
class Opened:
    token: str  # for the cookie; only its hash is stored
    chat: WebChat


def new_sender() -> str:
    return SENDER_PREFIX + secrets.token_hex(16)


def sender_for_invite(session: Session, code: str, device: str | None) -> str | None:
    """The web sender an invite is already bound to, when this browser may carry it on:
    an adult's from any device; a child's only on the browser that began it (after Exit,
    or a quiet half hour, they come back with their code). A child's conversation moves to
    another device only after staff reissue their invite (bot/model/invites.py)."""
    invite = session.execute(
        select(Invite).where(Invite.code_hash == hash_code(code))
    ).scalar_one_or_none()
    if (
        invite is None
        or invite.revoked_at is not None
        or invite.expires_at <= utcnow()
        or not (invite.bound_sender or "").startswith(SENDER_PREFIX)
    ):
        return None
    if invite.participant.role == "young_person" and not _began_here(
        session, invite.bound_sender, device
    ):
        return None
    return invite.bound_sender


def _began_here(session: Session, sender: str, device: str | None) -> bool:
    return (
        bool(device)
        and session.execute(
            select(WebChat.id).where(
                WebChat.sender == sender, WebChat.device_hash == hash_code(device)
            )
        ).first()
        is not None
    )


def open_chat(session: Session, sender: str, device: str, replies: list[dict]) -> Opened:
    token = new_token()
    chat = WebChat(token_hash=hash_code(token), sender=sender, device_hash=hash_code(device))
    keep_replies(chat, replies)
    session.add(chat)
    return Opened(token, chat)


def live_chat(session: Session, token: str | None) -> WebChat | None:
    """The session this cookie holds, if it has not ended or gone quiet; seen now."""
    chat = by_token(session, WebChat, token)
    now = utcnow()
    if chat is None or chat.ended_at is not None:
        return None
    if chat.last_seen_at + IDLE <= now:
        end_chat(chat)
        return None
    chat.last_seen_at = now
    return chat


def keep_replies(chat: WebChat, replies: list[dict], said: str | None = None) -> None:
    """One turn more: the person's words (a button's title, not its payload) and the bot's
    replies; only the last RECENT_TURNS are kept, so a reload shows what led to the question."""
    turns = [*recent_turns(chat), {"said": said, "replies": replies}][-RECENT_TURNS:]
    chat.last_replies = json.dumps(turns, ensure_ascii=False)


def recent_turns(chat: WebChat) -> list[dict]:
    kept = json.loads(chat.last_replies) if chat.last_replies else []
    if kept and "replies" not in kept[0]:  # kept before turns were: the bot's replies alone
        kept = [{"said": None, "replies": kept}]
    return kept


def end_chat(chat: WebChat) -> None:
    """Ended: and the recent turns (the person's words and the bot's) are gone."""
    chat.ended_at = utcnow()
    chat.last_replies = None
