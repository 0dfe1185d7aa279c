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


def script_for(role: str | None, band: str | None, out_of_hours: str | None = None) -> list[Reply]:
    """The script for this person: by age band for a young person, else by audience; the
    local out-of-hours number after 999 when the conference file gives one."""
    config = helplines()
    audience = vocabulary.AUDIENCES.get(role) if role else None
    key = band if audience == "young_person" and band else (audience or "not_joined")
    script = config["scripts"].get(key) or config["scripts"]["family"]
    lines = [config["helplines"][name] for name in script["helplines"]]
    if out_of_hours:
        local = config["out_of_hours"]
        lines.insert(1, {"name": local["name"], "how": local["how"].format(number=out_of_hours)})
    numbers = "\n".join(f"- {line['name']}: {line['how']}" for line in lines)
    replies = [Reply(script["text"].strip() + "\n\n" + numbers)]
    if audience:
        replies.append(Reply(config["next"][audience].strip(),
                             [button(config["stop_button"], "stop")]))  # fmt: skip
    return replies
