"""The coordinator's conference form: what was typed, turned into the structure a
conference file holds and checked by the same rules (bot/conference_file.py), with each
problem put back beside the box it is about.

Rows that repeat (children, danger statements, participants) are plain numbered fields;
"Add another" posts the form and shows it again with one more blank row, so the page works
without JavaScript and nothing typed is lost. Each row carries its key in a hidden field:
children, statements and participants are matched by key when a conference is changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import vocabulary
from bot.conference_file import ConferenceFileError, ConferenceSpec, Problem, check_conference
from bot.model.tables import Conference, Participant, Staff
from bot.review.record import shown_date, typed_date, typed_to_date
from bot.web.conference_form_words import (
    BOXES,
    ROW_KINDS,
    box_and_message,
    in_page_order,
)

UK = ZoneInfo("Europe/London")
BLANK_ROWS = {"child": 2, "statement": 1, "participant": 5}  # on a new form
MOST_ROWS = {"child": 20, "statement": vocabulary.MAX_DANGER_STATEMENTS, "participant": 40}
KEY_PREFIX = {"child": "", "statement": "D", "participant": "P"}
KEY = re.compile(r"^[A-Za-z0-9_]{1,32}$")
# The chair is chosen from staff, not typed as a row: every role but the chair's.
FORM_ROLES = tuple(role for role in vocabulary.ROLES if role != "chair")
CHANNEL_WORDS = {
    "web": "Web chat (a link by email or text)",
    "telegram": "Telegram",
    "letter": "A printed letter",
}
PARTICIPANT_BOXES = ("name", "role", "agency", "email", "phone", "channel", "children")
TIME = re.compile(r"^(\d{1,2})[:.](\d{2})\s*(am|pm)?$|^(\d{1,2})\s*(am|pm)$", re.IGNORECASE)


@dataclass
class ConferenceForm:
    """The form as typed (`values`, by box name), its rows' keys, and what is wrong."""

    values: dict
    rows: dict  # kind -> the key of each row, in order
    errors: dict = field(default_factory=dict)  # box name -> message, in the page's order
    spec: ConferenceSpec | None = None
    chair: Staff | None = None
    where: dict = field(default_factory=dict)  # a conference file's entry -> its row
    take_off: set = field(default_factory=set)  # participants ticked "Take them off"


def next_key(kind: str, taken: set[str]) -> str:
    """A key no row, and nobody ever on this conference, has had: A, B, ... for children,
    D1, D2 ... for danger statements, P1, P2 ... for participants."""
    number = 1
    while True:
        key = (
            _letters(number)
            if kind == "child" and number <= 26 * 27
            else f"{KEY_PREFIX[kind] or 'C'}{number}"
        )
        if key not in taken:
            return key
        number += 1


def _letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def blank_form(now: datetime | None = None) -> ConferenceForm:
    rows = {kind: [] for kind in ROW_KINDS}
    for kind, count in BLANK_ROWS.items():
        for _ in range(count):
            rows[kind].append(next_key(kind, set(rows[kind])))
    return ConferenceForm({"type": "", "date": shown_date(None)}, rows)


def form_from_conference(conference: Conference) -> ConferenceForm:
    """The conference as its form shows it (the chair and anyone taken off are not rows)."""
    when = conference.date
    values = {
        "type": conference.type,
        "date": shown_date(when.date()),
        "time": when.strftime("%H:%M"),
        "local_authority": conference.local_authority,
        "out_of_hours": conference.out_of_hours or "",
        "chair": str(conference.chair_staff_id or ""),
    }
    rows = {kind: [] for kind in ROW_KINDS}
    for child in conference.children:
        rows["child"].append(child.key)
        values.update({f"child-{child.key}-name": child.name, f"child-{child.key}-age": child.age})
    for statement in conference.danger_statements:
        rows["statement"].append(statement.key)
        box = f"statement-{statement.key}-"
        values.update(
            {
                box + "danger": statement.danger,
                box + "safety_goal": statement.safety_goal,
                box + "children": list(statement.children),
                box + "young_danger": statement.young_danger or "",
                box + "young_safety_goal": statement.young_safety_goal or "",
            }
        )
    for person in listed_participants(conference):
        rows["participant"].append(person.key)
        box = f"participant-{person.key}-"
        values.update(
            {
                box + "name": person.name,
                box + "role": person.role,
                box + "agency": person.agency or "",
                box + "child": person.child_key or "",
                # a young person speaks of her own child record unless told otherwise
                box + "children": []
                if list(person.children) == [person.child_key]
                else list(person.children),
                box + "email": person.email or "",
                box + "phone": person.phone or "",
                box + "channel": person.channel or "",
            }
        )
    return ConferenceForm(values, rows)


def listed_participants(conference: Conference) -> list[Participant]:
    """The participants the form's rows show: not the chair, nobody taken off."""
    return [p for p in conference.participants if p.role != "chair" and p.removed_at is None]


def chair_participant(conference: Conference | None) -> Participant | None:
    if conference is None:
        return None
    return next((p for p in conference.participants if p.role == "chair"), None)


def read_form(
    posted, chairs: list[Staff], conference: Conference | None = None, now: datetime | None = None
) -> ConferenceForm:
    """What was posted, checked whole: `spec` when all is well, otherwise `errors`. A new
    conference when `conference` is None; otherwise a change to it, until its day."""
    taken = _keys_ever_used(conference)
    rows = {kind: _posted_keys(posted, kind, taken.get(kind, set())) for kind in ROW_KINDS}
    values = _typed_values(posted, rows)
    form = ConferenceForm(values, rows)
    if conference is not None:
        _keep_unposted_participants(form, conference)
        _refuse_emptied_rows(form, conference)
    when = _read_when(values, form.errors)
    form.chair = next((s for s in chairs if str(s.id) == values["chair"]), None)
    if values["chair"] and form.chair is None:
        form.errors["chair"] = "Choose a chair from the list"
    root, form.where = _structure(values, rows, when, form.chair, conference)
    try:
        form.spec = check_conference(root, "the form")
    except ConferenceFileError as error:
        if when is None:  # the date or the time was refused above, in the form's words
            error.problems = [p for p in error.problems if p.field != "conference.date"]
        put_problems(form, error.problems)
    if when and (passed := date_passed(datetime.fromisoformat(when), now)):
        form.errors["date"] = passed
    form.errors = in_page_order(form.errors, rows)
    if form.errors:
        form.spec = None
    return form


def _keep_unposted_participants(form: ConferenceForm, conference: Conference) -> None:
    """Someone on the conference whose row is missing from the post (a cut-off or made-up
    post) stays as they are: their row is put back as the conference has it. Only a tick
    in "Take them off this conference" takes anyone off."""
    posted = form.rows["participant"]
    missing = [p for p in listed_participants(conference) if p.key not in posted]
    if not missing:
        return
    shown = form_from_conference(conference)
    for person in missing:
        place = shown.rows["participant"].index(person.key)
        posted.insert(min(place, len(posted)), person.key)
        box = f"participant-{person.key}-"
        form.values.update({k: v for k, v in shown.values.items() if k.startswith(box)})
        form.values[box + "remove"] = ""


def _refuse_emptied_rows(form: ConferenceForm, conference: Conference) -> None:
    """An emptied row of someone on the conference is not taken as taking them off (the
    tick is): the coordinator is asked which they meant. Ticked, their row may be empty."""
    on_it = {p.key for p in listed_participants(conference)}
    for number, key in enumerate(form.rows["participant"], 1):
        box = f"participant-{key}-"
        if key in on_it and _row_empty(form.values, box) and not form.values[box + "remove"]:
            form.errors[box + "name"] = (
                f"Participant {number}'s details are all empty: type them again, or tick "
                "'Take them off this conference' to take them off"
            )
        elif key in on_it and form.values[box + "remove"]:
            form.take_off.add(key)


def _row_empty(values: dict, box: str) -> bool:
    return not any(values.get(box + name) for name in PARTICIPANT_BOXES)


def date_passed(when: datetime, now: datetime | None = None) -> str | None:
    """Why a conference cannot be set for this time, if it has passed (UK time)."""
    if when > (now or uk_now()):
        return None
    return f"The date of the conference must be in the future: {uk_when(when)} has passed"


def uk_now() -> datetime:
    return datetime.now(UK).replace(tzinfo=None)


def uk_when(when: datetime) -> str:
    return f"{when:%-d %B %Y} at {when:%H:%M}"


def add_row(form: ConferenceForm, kind: str, conference: Conference | None = None) -> bool:
    """One more blank row of this kind, unless there are as many as may be."""
    if kind not in ROW_KINDS or len(form.rows[kind]) >= MOST_ROWS[kind]:
        return False
    taken = set(form.rows[kind]) | _keys_ever_used(conference).get(kind, set())
    form.rows[kind].append(next_key(kind, taken))
    return True


def put_problems(form: ConferenceForm, problems: list[Problem]) -> None:
    """Each problem beside its box, in the form's words (the first problem for a box), the
    error summary in the page's order."""
    for problem in problems:
        box, message = box_and_message(problem, form.where)
        form.errors.setdefault(box, message)
    form.errors = in_page_order(form.errors, form.rows)


def _keys_ever_used(conference: Conference | None) -> dict:
    if conference is None:
        return {}
    return {
        "child": {child.key for child in conference.children},
        "statement": {statement.key for statement in conference.danger_statements},
        "participant": {person.key for person in conference.participants},
    }


def _posted_keys(posted, kind: str, taken: set[str]) -> list[str]:
    """The keys of the rows posted, in order; a missing or doubtful key gets a new one."""
    keys = []
    for given in posted.getall(f"{kind}-key", [])[: MOST_ROWS[kind]]:
        given = str(given).strip()
        if not KEY.match(given) or given in keys:
            given = next_key(kind, set(keys) | taken)
        keys.append(given)
    return keys


def _typed_values(posted, rows: dict) -> dict:
    def one(name):
        value = posted.get(name)
        return value.strip() if isinstance(value, str) else ""

    values = {name: one(name) for name in ("type", "time", "local_authority", "out_of_hours")}
    values["chair"] = one("chair")
    values["date"] = typed_date(posted, "date")
    for kind, keys in rows.items():
        for key in keys:
            for box in BOXES[kind]:
                name = f"{kind}-{key}-{box}"
                if box == "children":
                    values[name] = [str(v) for v in posted.getall(name, []) if isinstance(v, str)]
                else:
                    values[name] = one(name)
    for key in rows["participant"]:  # "Take them off this conference", on a change
        values[f"participant-{key}-remove"] = one(f"participant-{key}-remove")
    return values


def _read_when(values: dict, errors: dict) -> str | None:
    """The date and time as the conference file writes them, or None (a problem said)."""
    day, time = values["date"], values["time"]
    try:
        when = typed_to_date(day, "the date of the conference")
    except ValueError as error:
        errors["date"] = str(error)
        when = None
    if when is None and "date" not in errors:
        errors["date"] = "Enter the date of the conference, for example 15 3 2027"
    matched = TIME.match(time)
    hour = minute = None
    if matched:
        hour = int(matched.group(1) or matched.group(4))
        minute = int(matched.group(2) or 0)
        half = (matched.group(3) or matched.group(5) or "").lower()
        if half and not 1 <= hour <= 12:
            hour = None
        elif half:
            hour = hour % 12 + (12 if half == "pm" else 0)
    if hour is None or not (0 <= hour <= 23 and 0 <= minute <= 59):
        errors["time"] = (
            "Enter the time of the conference" if not time else "Enter a real time"
        ) + ", for example 10:00 or 1:30pm"
        return None
    return f"{when.isoformat()}T{hour:02d}:{minute:02d}" if when else None


def _structure(values, rows, when, chair: Staff | None, conference: Conference | None):
    """The conference file's structure from the form, and where each of its entries is on
    the page: {"children[A]": ("child", "A", 1), ...}."""

    def text(name):
        return values.get(name) or None

    where = {}
    children = []
    for number, key in enumerate(rows["child"], 1):
        where[f"children[{key}]"] = ("child", key, number)
        name, age = text(f"child-{key}-name"), text(f"child-{key}-age")
        if name or age:
            children.append({"key": key, "name": name, "age": _whole(age)})
    statements = []
    previous = _previous_scores(conference)
    for number, key in enumerate(rows["statement"], 1):
        where[f"danger_statements[{key}]"] = ("statement", key, number)
        box = f"statement-{key}-"
        entry = {
            "key": key,
            "danger": text(box + "danger"),
            "safety_goal": text(box + "safety_goal"),
            "children": values[box + "children"] or None,
        }
        young = {
            "danger": text(box + "young_danger"),
            "safety_goal": text(box + "young_safety_goal"),
        }
        if any(young.values()):
            entry["for_young_people"] = young
        if not any(value for name, value in entry.items() if name != "key"):
            continue
        # none ticked: every child, as for a participant's "which children they speak about"
        entry["children"] = entry["children"] or [child["key"] for child in children] or None
        if values["type"] == "review" and previous.get(key):
            entry["previous_scores"] = previous[key]
        statements.append(entry)
    participants = []
    scoring = {p.key: (p.role, p.scores) for p in conference.participants} if conference else {}
    for number, key in enumerate(rows["participant"], 1):
        where[f"participants[{key}]"] = ("participant", key, number)
        box = f"participant-{key}-"
        entry = {name: text(box + name) for name in PARTICIPANT_BOXES if name != "children"}
        entry["children"] = values[box + "children"] or None
        if not any(entry.values()) or values[box + "remove"]:
            continue  # a blank new row, or someone ticked to be taken off
        entry["key"] = key
        if entry["role"] == "young_person":
            entry["child"] = text(box + "child")
        if key in scoring and entry["role"] == scoring[key][0]:
            entry["scores"] = scoring[key][1]  # as the file said; the form does not show it
        participants.append(entry)
    kept = {entry["key"] for entry in participants}
    for entries in statements:  # scores from the last conference of people still on it
        if "previous_scores" in entries:
            entries["previous_scores"] = {
                key: score for key, score in entries["previous_scores"].items() if key in kept
            } or None
            if entries["previous_scores"] is None:
                del entries["previous_scores"]
    chair_entry = _chair_entry(chair, conference, set(rows["participant"]))
    if chair_entry:
        where[f"participants[{chair_entry['key']}]"] = ("chair", None, None)
        participants.append(chair_entry)
    root = {
        "conference": {
            "type": values["type"] or None,
            "date": when or "",
            "local_authority": text("local_authority"),
            "out_of_hours": text("out_of_hours"),
        },
        "children": children,
        "danger_statements": statements,
        "participants": participants,
    }
    return root, where


def _chair_entry(chair: Staff | None, conference: Conference | None, keys: set[str]):
    """The conference's chair participant, as the conference file has one: the chosen staff
    chair, or (no one chosen) the chair the conference already had. They get the chair's
    chat and the safeguarding emails a chair is sent."""
    existing = chair_participant(conference)
    if chair is None and existing is None:
        return None
    used = keys | _keys_ever_used(conference).get("participant", set())
    key = existing.key if existing else next_key("participant", used)
    person = chair or existing
    return {"key": key, "name": person.name, "role": "chair", "email": person.email}


def _previous_scores(conference: Conference | None) -> dict:
    """Last conference's scores, as imported: the form keeps them and does not show them."""
    if conference is None:
        return {}
    return {
        statement.key: {p.participant.key: p.score for p in statement.previous_scores}
        for statement in conference.danger_statements
    }


def _whole(typed: str | None):
    """A typed whole number as a number; anything else as typed, for the check to name."""
    return int(typed) if typed and typed.isdigit() and len(typed) < 4 else typed
