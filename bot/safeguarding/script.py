"""The reviewed script shown when someone writes that a child may be in danger."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot import vocabulary
from bot.dialogue.replies import Reply, button

HELPLINES = Path(__file__).with_name("helplines.yml")


@lru_cache(maxsize=1)
def helplines() -> dict:
    return yaml.safe_load(HELPLINES.read_text())


def script_for(role: str | None, band: str | None) -> list[Reply]:
    """The script for this person: by age band for a young person, else by audience."""
    config = helplines()
    audience = vocabulary.AUDIENCES.get(role) if role else None
    key = band if audience == "young_person" and band else (audience or "not_joined")
    script = config["scripts"].get(key) or config["scripts"]["family"]
    numbers = "\n".join(
        f"- {config['helplines'][name]['name']}: {config['helplines'][name]['how']}"
        for name in script["helplines"]
    )
    replies = [Reply(script["text"].strip() + "\n\n" + numbers)]
    if audience:
        replies.append(Reply(config["next"][audience].strip(),
                             [button(config["stop_button"], "stop")]))  # fmt: skip
    return replies
