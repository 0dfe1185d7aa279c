"""`companion chat CODE`: try the bot in a terminal, through the same REST channel the web
chat uses. Buttons are shown as numbered choices; typing the number or the words both work.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import urllib.error
import urllib.request
from typing import Callable, TextIO

from bot.settings import Settings

GOODBYE = (
    "Goodbye. Your answers so far are saved: run `companion chat {code}` again to carry on "
    "from the same question."
)


class ChatUnavailable(Exception):
    pass


def send(settings: Settings, sender: str, message: str) -> list[dict]:
    """One message to Rasa's REST channel; the bot's replies."""
    request = urllib.request.Request(
        f"{settings.rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError) as error:
        raise ChatUnavailable(
            f"The chat is not answering at {settings.rasa_url} ({error}). "
            "Is `make run` (or `companion serve`) running?"
        ) from None


def is_scale(buttons: list[dict]) -> bool:
    """0-10 buttons: the number typed is the score, not a position in the list."""
    return len(buttons) > 2 and all(str(b.get("payload", "")).isdigit() for b in buttons)


def show(replies: list[dict], out: TextIO) -> list[dict]:
    """Print the bot's messages; returns the buttons a typed number picks (none when the
    message has a numbered list of its own, like the read-back: there the number is sent)."""
    buttons: list[dict] = []
    for reply in replies:
        if reply.get("text"):
            out.write("\n" + reply["text"] + "\n")
        buttons = reply.get("buttons") or []
    own_list = replies and re.search(r"(?m)^1\. ", replies[-1].get("text") or "")
    if own_list:
        out.write("  " + "   ".join(f"[{b['title']}]" for b in buttons) + "\n")
        return []
    if is_scale(buttons):
        out.write("  " + "   ".join(b["title"] for b in buttons) + "\n")
    else:
        for number, button in enumerate(buttons, start=1):
            out.write(f"  {number}. {button['title']}\n")
    return buttons


def what_to_send(typed: str, buttons: list[dict]) -> str:
    """A choice's number sends that button's payload; anything else is sent as typed."""
    text = typed.strip()
    if buttons and not is_scale(buttons) and text.isdigit() and 1 <= int(text) <= len(buttons):
        return str(buttons[int(text) - 1]["payload"])
    return text


def chat(
    settings: Settings,
    code: str,
    read: Callable[[str], str] = input,
    out: TextIO = sys.stdout,
) -> int:
    sender = f"cli-{secrets.token_hex(8)}"  # our own id for this terminal, never a user's
    try:
        buttons = show(send(settings, sender, f"/start {code}"), out)
    except ChatUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    try:
        while True:
            typed = read("> ")
            if typed.strip():
                buttons = show(send(settings, sender, what_to_send(typed, buttons)), out)
    except (EOFError, KeyboardInterrupt):
        return 0
    except ChatUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        # However we leave, pause: the same code then carries on from a new terminal.
        try:
            send(settings, sender, "pause")
            out.write("\n" + GOODBYE.format(code=code) + "\n")
        except ChatUnavailable:
            pass
