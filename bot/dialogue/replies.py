"""What the engine says: text with optional buttons, whatever the channel."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Reply:
    text: str
    buttons: list[dict] = field(default_factory=list)

    def as_message(self) -> dict:
        return {"text": self.text, "buttons": self.buttons}


def button(title: str, payload: str | None = None) -> dict:
    """A button; its payload is what typing it would send (plain text, not an intent)."""
    return {"title": title, "payload": payload if payload is not None else title}
