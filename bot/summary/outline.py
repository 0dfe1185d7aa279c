"""The summary laid out for reading: the same outline feeds Markdown, HTML and Word."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot import vocabulary, wording
from bot.review.statuses import removed_iso
from bot.summary.scaling import described

SCORE_HEADINGS = ("Danger statement", "Who", "Score", "Last time", "Why", "To move up")
# The reply to the chat's safety check, "Are you safe right now?", in plain words.
CHECK_REPLY_WORDS = {
    "safe_now": "said safe",
    "not_safe_now": "said not safe",
    "unsure": "said they were not sure",
}
# Why an item is held back from the family (bot/summary/build.py), after "It ...".
HELD_BACK_WORDS = {"alert": "raised a safeguarding alert", "concern": "raised a concern"}
HOUSE_WORDS = {
    "good_things": "house of good things",
    "worries": "house of worries",
    "dreams": "house of dreams",
    "chair": "chair",  # a picture she chose to send the chair (bot/picture_sent.py)
}
PICTURES_HEADING = "The child's pictures"  # as in templates/summary_body.html


def check_reply_words(reply: str | None) -> str | None:
    """'Asked if they were safe right now: said not safe', or None if not asked."""
    if not reply:
        return None
    return f"Asked if they were safe right now: {CHECK_REPLY_WORDS.get(reply, reply)}"


@dataclass
class Outline:
    title: str
    subtitle: str
    danger_statements: list[tuple[str, str, str]]  # key, danger, safety goal
    board: list[tuple[str, list[tuple[str, list[str]]]]]  # heading, [(column, lines)]
    scores: list[tuple[str, ...]] = field(default_factory=list)
    scaling: list[str] = field(default_factory=list)
    decision: list[str] = field(default_factory=list)
    for_chair: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    pictures: list[tuple[str, str]] = field(default_factory=list)  # caption, image address
    taken_off: list[str] = field(default_factory=list)  # who was taken off the conference

    def sections(self) -> list[tuple[str, list[str]]]:
        """What follows the scores table, heading and lines, in every format."""
        return [
            ("Taken off this conference", self.taken_off),
            ("Where the scores differ", self.scaling),
            ("The decision", self.decision),
            ("For the chair", self.for_chair),
            ("Safeguarding alerts", self.alerts),
        ]


class Names(dict):
    """Participant key -> name, knowing who was taken off the conference (`taken_off`:
    key -> when, ISO), so that everything they said is marked wherever it is shown."""

    def __init__(self, names: dict | None = None, taken_off: dict | None = None):
        super().__init__(names or {})
        self.taken_off = {**getattr(names, "taken_off", {}), **(taken_off or {})}


def names_of(participants) -> Names:
    """The Names of a conference's participants, from the database."""
    return Names(
        {p.key: p.name for p in participants},
        {p.key: removed_iso(p) for p in participants if p.removed_at},
    )


def who(item: dict, names: dict) -> str:
    """'Kelly Smith (parent or carer)'; 'Kelly Smith (parent or carer; taken off this
    conference on 3 December)'."""
    name = names.get(item["participant"], item["participant"])
    role = vocabulary.ROLE_TITLES[item["role"]].lower()
    off = _off(item["participant"], names)
    return f"{name} ({role}; {off})" if off else f"{name} ({role})"


def _off(key: str | None, names: dict) -> str:
    """'taken off this conference on 3 December' of someone taken off, else ''."""
    removed = getattr(names, "taken_off", {}).get(key)
    return f"taken off this conference on {wording.taken_off_day(removed)}" if removed else ""


def _taken_off(summary: dict, names: dict) -> list[str]:
    """'Kelly Smith (parent or carer). Taken off this conference on 3 December; what they
    said before is kept.' for each, from the summary's responses. The family's copy has no
    status: it says they had answered only if something of theirs is in it."""
    said = {item["participant"] for found in summary["columns"].values() for item in found}
    said |= {item["participant"] for item in summary["scores"] + summary["child_voice"]}
    said |= {item["participant"] for item in summary.get("for_chair", [])}
    lines = []
    for response in summary["responses"]:
        if not response.get("removed_at"):
            continue
        key, status = response["participant"], response.get("status")
        answered = key in said or (None if status is None else status != "not_started")
        role = vocabulary.ROLE_TITLES[response["role"]].lower()
        words = wording.taken_off(response["removed_at"], answered)
        lines.append(f"{names.get(key, key)} ({role}). {words}.")
    return lines


def _voice(item: dict) -> str:
    return " (the child's own words)" if item.get("child_voice") else ""


def _private(item: dict) -> str:
    """In the chair's copy: an item the family's copy leaves out (bot/summary/build.py),
    and why when its words raised an alert or a concern."""
    held = item.get("held_back")
    if held and not held["released"]:
        return f" (held back from the family: it {HELD_BACK_WORDS[held['reason']]})"
    released = " (released to the family by the chair)" if held else ""
    return released + (" (not shared with the family)" if item.get("family_sees") is False else "")


def _pictures(summary: dict, names: dict) -> list[tuple[str, str]]:
    """A child's drawings: a caption, and where the image is (a data: address in an export,
    else the chair's picture page, relative to the conference's pages)."""
    return [
        (
            f"A picture for the {HOUSE_WORDS.get(item['house'], item['house'])}"
            f"{_private(item)} — {who(item, names)}",
            item.get("src") or f"picture?item={item['id']}",
        )
        for item in summary.get("pictures", [])
    ]


def _edited(item: dict, names: dict) -> str:
    """The chair's hand in an item: reworded, or other people's words merged into it. The
    family's copy of a merged item has no folded words (bot/review/edits.py): one item."""
    also = item.get("also", [])
    if also and not any("text" in other for other in also):
        return " (merged by the chair)"
    marks = " (reworded by the chair)" if "original" in item else ""
    said = "; ".join(f"{other['text']} — {who(other, names)}" for other in also)
    return marks + (f" (merged with: {said})" if said else "")


def _whose(item: dict, names: dict) -> str:
    """Who said an item; of a merged item in the family's copy, everyone whose words it holds."""
    people = [item, *(other for other in item.get("also", []) if "text" not in other)]
    return " and ".join(dict.fromkeys(who(person, names) for person in people))


def _day(iso: str | None) -> str:
    return wording.day(date.fromisoformat(iso)) if iso else "not set"


def _decision(decision: dict | None, names: dict) -> list[str]:
    if decision is None:
        return ["Not recorded yet."]
    lines = [decision["plan_words"] or "Not recorded yet."]
    if decision["category_titles"]:
        lines.append("Category: " + ", ".join(decision["category_titles"]) + ".")
    lines += [
        f"Dissenting views: {decision['dissent'] or 'none recorded'}",
        f"Core group members: {decision['core_group_members'] or 'not recorded'}",
        f"First core group meeting: {_day(decision['core_group_date'])}",
        f"Next review conference: {_day(decision['next_review_date'])}",
        f"The chair's reasons: {decision['rationale'] or 'not recorded'}",
        f"Recorded by {names.get(decision['recorded_by'], decision['recorded_by'])}.",
    ]
    return lines


def _status(record: dict) -> str:
    status = "approved" if record["status"] == "approved" else "draft"
    return (
        f"Status: {status}, version {record['version']}. "
        f"The record is due by {_day(record['due'])}."
    )


def outline(summary: dict, names: dict | None = None) -> Outline:
    # who was taken off the conference, from the summary itself (an export has only that)
    names = Names(
        names,
        {r["participant"]: r["removed_at"] for r in summary["responses"] if r.get("removed_at")},
    )
    conference = summary["conference"]
    board = vocabulary.full_board_for(conference["type"])
    kind = conference["type"].capitalize()
    return Outline(
        title=f"{kind} child protection conference, {wording.said(conference['date'])}",
        subtitle=f"{conference['local_authority']}. {_status(summary['record'])}",
        danger_statements=[
            (s["key"], s["danger"], s["safety_goal"]) for s in summary["danger_statements"]
        ],
        board=[
            (
                heading,
                [
                    (
                        vocabulary.COLUMN_TITLES[column],
                        [
                            f"{item['text']}{_voice(item)}{_private(item)}{_edited(item, names)}"
                            f" — {_whose(item, names)}"
                            for item in summary["columns"][column]
                        ],
                    )
                    for column in columns
                ],
            )
            for heading, columns in board
        ],
        scores=[
            (
                score["danger_statement"],
                who(score, names),
                str(score["score"]),
                "" if score["previous"] is None else str(score["previous"]),
                (score["reason"] or "")
                + _private({"family_sees": score.get("family_sees_reasons")}),
                score["next_point"] or "",
            )
            for score in summary["scores"]
        ],
        scaling=[described(row, lambda item: who(item, names)) for row in summary["scaling"]],
        decision=_decision(summary.get("decision"), names),
        for_chair=[
            f"{item['question']}: {item['text']}"
            + (" (added after sending)" if item["added_after_sending"] else "")
            + (" (look at this)" if item["flagged"] else "")
            + f" — {who(item, names)}"
            for item in summary.get("for_chair", [])
        ],
        alerts=[
            f"{wording.said(alert['at'], utc=True)} {alert['kind'].replace('_', ' ')}: "
            f'"{alert["text"]}" — '
            f"{names.get(alert['participant'], alert['participant'])}"
            + (f" ({off})" if (off := _off(alert["participant"], names)) else "")
            + (
                f" (they said: {alert['participant_says']})"
                if alert.get("participant_says")
                else ""
            )
            + (
                f" ({check_reply_words(alert['check_reply']).lower()})"
                if alert.get("check_reply")
                else ""
            )
            for alert in summary["alerts"]
        ],
        pictures=_pictures(summary, names),
        taken_off=_taken_off(summary, names),
    )
