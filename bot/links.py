"""The addresses people open: a participant's invite (the web chat, Telegram's deep link) and
a chair's sign-in."""

from __future__ import annotations

from bot.settings import Settings


def invite_links(settings: Settings, code: str) -> dict:
    # The code rides in the fragment, so it never reaches a server log.
    web_link = f"{settings.public_url}/chat#invite={code}"
    telegram_link = (
        f"https://t.me/{settings.telegram_bot_username}?start={code}"
        if settings.telegram_bot_username
        else None
    )
    return {"web_link": web_link, "telegram_link": telegram_link}


def sign_in_link(public_url: str, token: str) -> str:
    """A chair's single-use sign-in address (bot/review/signin.py; bot/web/routes.py)."""
    return f"{public_url}/sign-in/{token}"


def staff_sign_in_link(public_url: str, token: str) -> str:
    """A member of staff's single-use sign-in address (bot/review/staff.py)."""
    return f"{public_url}/staff/sign-in/{token}"
