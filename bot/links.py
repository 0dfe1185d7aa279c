"""The addresses a participant opens to join: the web chat, and Telegram's deep link."""

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
