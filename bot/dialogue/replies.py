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


FACES = {
    0: "😢",
    1: "😢",
    2: "😢",
    3: "🙁",
    4: "🙁",
    5: "😐",
    6: "😐",
    7: "🙂",
    8: "🙂",
    9: "😀",
    10: "😀",
}


def score_button(number: int, faces: bool = False) -> dict:
    """A 0-10 button; for children with a face beside the number. The payload is the number."""
    return button(f"{number} {FACES[number]}" if faces else str(number), str(number))
