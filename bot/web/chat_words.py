"""The bot's words on the web chat's page: phone numbers a tap can call, and what 0 and 10
mean on a scale, read from the question's own words (bot/agenda/default.yml)."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# 999 and 111; 116 123 (Samaritans); UK numbers from 0 (0800 1111, 0808 800 5000,
# 01234 567890). Read in escaped text, where an entity (&#39;) never looks like one.
PHONE = re.compile(r"(?<![\w£.,/:-])(999|111|116 ?\d{3}|0\d{3,4}(?: ?\d{3,4}){1,2})(?![\w/:-])")
TEXT_TO = re.compile(r"\b(text \w+ to )(\d{5})\b", re.IGNORECASE)  # "text SHOUT to 85258"
SCALE_ENDS = re.compile(
    r"\b0 (?:means|is) (?P<low>[^.,;?]+?)(?:,| and|\.)\s+(?:and )?"
    r"10 (?:means|is) (?P<high>[^.,;?]+)",
    re.IGNORECASE,
)


def phone_links(text: str | None) -> Markup:
    """Escape first, then link: the words stay text, the numbers become tel: (or sms:)."""
    escaped = str(escape(text or ""))

    def call(match: re.Match) -> str:
        number = match.group(1)
        digits = len(number.replace(" ", ""))
        if number.startswith("0") and not 8 <= digits <= 11:
            return number
        return f'<a class="govuk-link" href="tel:{number.replace(" ", "")}">{number}</a>'

    linked = TEXT_TO.sub(
        lambda m: f'{m.group(1)}<a class="govuk-link" href="sms:{m.group(2)}">{m.group(2)}</a>',
        escaped,
    )
    return Markup(PHONE.sub(call, linked))


def scale_ends(question: str | None) -> tuple[str, str] | None:
    """What 0 and 10 mean, in the question's words ("the worry is happening now", "the goal
    has been reached"); None when the question does not say."""
    found = SCALE_ENDS.search(" ".join((question or "").split()))
    if not found:
        return None
    return tuple(part.strip()[0].upper() + part.strip()[1:] for part in found.group("low", "high"))
