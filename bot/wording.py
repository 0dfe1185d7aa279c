"""Plain-English renderings shared by the chat, the pages and the summary."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo


def day(when: date) -> str:
    """'Tuesday 8 December 2026'."""
    return f"{when:%A} {when.day} {when:%B %Y}"


def conference_date(when: datetime) -> str:
    """'Tuesday 15 December 2026 at 10am' (GOV.UK style: no leading zeros, am/pm)."""
    hour = when.hour % 12 or 12
    minutes = f":{when.minute:02d}" if when.minute else ""
    suffix = "am" if when.hour < 12 else "pm"
    return f"{when:%A} {when.day} {when:%B %Y} at {hour}{minutes}{suffix}"


def said(iso: str | None, utc: bool = False) -> str:
    """An ISO date and time from the summary as people say it, in UK time."""
    if not iso:
        return ""
    when = datetime.fromisoformat(iso)
    if utc:
        when = when.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/London"))
    return conference_date(when)


def taken_off_day(removed_at: str) -> str:
    """'3 December': the UK day someone was taken off a conference (stored in UTC, ISO)."""
    when = datetime.fromisoformat(removed_at).replace(tzinfo=timezone.utc)
    when = when.astimezone(ZoneInfo("Europe/London"))
    return f"{when.day} {when:%B}"


def taken_off(removed_at: str, answered: bool | None = True) -> str:
    """How the pages and the summary say someone was taken off the conference (answered
    None: not for this reader to know whether they had)."""
    said = f"Taken off this conference on {taken_off_day(removed_at)}"
    if answered is None:
        return said
    return said + ("; what they said before is kept" if answered else " before they answered")


TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame"}


def greeting_name(full_name: str, audience: str) -> str:
    """Families and children by first name; professionals by the name they gave."""
    if audience == "professional":
        return full_name
    words = [word for word in full_name.split() if word.lower().rstrip(".") not in TITLES]
    return words[0] if words else full_name
