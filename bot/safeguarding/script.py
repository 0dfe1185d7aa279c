"""The reviewed script shown when someone writes that a child may be in danger."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from bot import vocabulary
from bot.dialogue.replies import Reply, button

HELPLINES = Path(__file__).with_name("helplines.yml")


@lru_cache(maxsize=1)
def helplines() -> dict:
    return yaml.safe_load(HELPLINES.read_text())


def _script_key(role: str | None, band: str | None, nobody: str = "family") -> str:
    """Which wording: by age band for a young person, else by audience (`nobody` for
    someone not joined)."""
    audience = vocabulary.AUDIENCES.get(role) if role else None
    return band if audience == "young_person" and band else (audience or nobody)


def script_for(role: str | None, band: str | None, out_of_hours: str | None = None) -> list[Reply]:
    """The script for this person: by age band for a young person, else by audience; the
    local out-of-hours number after 999 when the conference file gives one."""
    config = helplines()
    audience = vocabulary.AUDIENCES.get(role) if role else None
    scripts = config["scripts"]
    script = scripts.get(_script_key(role, band, "not_joined")) or scripts["family"]
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


def short_line(role: str, band: str | None, out_of_hours: str | None = None) -> Reply:
    """Help again within half an hour of the full script: one line, not the whole screen."""
    config = helplines()
    local = config["short_out_of_hours"].format(number=out_of_hours) if out_of_hours else ""
    return Reply(config["short"][_script_key(role, band)].format(out_of_hours=local))


def asks_about_telling(text: str) -> bool:
    """ "will dad get in trouble?", "please don't tell him": a question to the chat about
    what happens to what they told, or a request to keep it secret (not "the kids never
    get in trouble at school now")."""
    said = " " + " ".join(text.lower().replace("\u2019", "'").split())
    config = helplines()["after_alert"]
    if any(f" {secret}" in said for secret in config["keep_secret"]):
        return True
    return "?" in said and any(f" {ask}" in said for ask in config["asks"])


def after_alert_answer(audience: str) -> Reply:
    return Reply(helplines()["after_alert"]["answer"][audience].strip())


def check_question(audience: str, self_harm: bool, role: str, band: str | None,
                   out_of_hours: str | None) -> list[Reply]:  # fmt: skip
    """ "Are you safe right now?", with its two buttons (payloads safe_now, not_safe_now)
    and "not sure"; where the words were about self-harm, the helplines first, so nobody
    leaves without a number."""
    check = helplines()["check"]
    replies = []
    if self_harm:
        help_ = script_for(role, band, out_of_hours)[0].text.split("\n\n")[-1]
        replies.append(Reply(check["self_harm"].strip() + "\n\n" + help_))
    buttons = [
        button(check["safe_title"][audience], "safe_now"),
        button(check["not_safe_title"][audience], "not_safe_now"),
        button(check["unsure_title"], "not sure"),
    ]
    replies.append(Reply(check["question"][audience], buttons))
    return replies


def check_reply(audience: str, text: str) -> str | None:
    """safe_now, not_safe_now or unsure, for a reply to the check (a button's payload, its
    title, or other words typed for it); None when the reply is none of them."""
    from bot.dialogue.parsing import key  # the chat's one way of comparing typed words

    check = helplines()["check"]
    whole = key(text.replace("_", " "))
    first = key(re.split(r"[,.!;:]", text.replace("_", " "))[0])  # "No, they're fine"
    replies = (
        ("safe_now", ["safe now", check["safe_title"][audience], *check["safe_words"][audience]]),
        ("not_safe_now", ["not safe now", check["not_safe_title"][audience],
                          *check["not_safe_words"][audience]]),
        ("unsure", [check["unsure_title"], *check["unsure_words"]]),
    )  # fmt: skip
    for said in (whole, first):
        for reply, words in replies:
            if said in {key(word) for word in words}:
                return reply
    return None


def after_check(audience: str, self_harm: bool) -> Reply:
    check = helplines()["check"]
    return Reply(check["self_harm_safe_reply" if self_harm else "safe_reply"][audience].strip())
