"""Reading a conference file (YAML) into plain data, refusing anything doubtful.

Every problem names the field and the line, so whoever wrote the file can put it right.
Nothing here touches the database: a file is checked whole before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from bot import vocabulary


@dataclass
class Problem:
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.field}: {self.message}"


class ConferenceFileError(Exception):
    def __init__(self, path, problems: list[Problem]):
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(f"{self.path} {problem}" for problem in problems))


@dataclass
class ChildSpec:
    key: str
    name: str
    age: int


@dataclass
class DangerStatementSpec:
    key: str
    danger: str
    safety_goal: str
    children: list[str]
    previous_scores: dict[str, int] = field(default_factory=dict)
    young_danger: str | None = None  # for_young_people: the social worker's words for a child
    young_safety_goal: str | None = None


@dataclass
class ParticipantSpec:
    key: str
    name: str
    role: str
    scores: bool
    agency: str | None = None
    email: str | None = None  # the social worker's and chair's, for safeguarding alerts
    phone: str | None = None
    child: str | None = None
    children: list[str] = field(default_factory=list)
    channel: str | None = None  # how they prefer to be reached: web, telegram or letter


@dataclass
class ConferenceSpec:
    type: str
    date: datetime
    local_authority: str
    children: list[ChildSpec]
    danger_statements: list[DangerStatementSpec]
    participants: list[ParticipantSpec]
    out_of_hours: str | None = None  # the emergency duty team's number, for crisis scripts


SECTIONS = {
    "conference": {"type", "date", "local_authority", "out_of_hours"},
    "children": {"key", "name", "age"},
    "danger_statements": {
        "key",
        "danger",
        "safety_goal",
        "children",
        "previous_scores",
        "for_young_people",
    },
    "participants": {
        "key",
        "name",
        "role",
        "agency",
        "child",
        "children",
        "scores",
        "email",
        "phone",
        "channel",
    },
}
MAX_CHILD_AGE = 18
# Enough to catch a typing slip in a contact; GOV.UK Notify says whether it is real.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MOBILE = re.compile(r"^(?:07\d{9}|\+?447\d{9}|\+[1-9]\d{7,14})$")  # UK, or international


class _Reader:
    """Walks the parsed YAML, keeping line numbers, collecting every problem."""

    def __init__(self):
        self.problems: list[Problem] = []
        self.lines: dict[int, int | None] = {}  # a mapping's line is where its key stands

    def problem(self, node, key, field_path: str, message: str) -> None:
        """A problem with a field (key) of node; key None means the node as a whole."""
        line = self.lines.get(id(node)) if key is None else None
        self.problems.append(Problem(line or _line(node, key), field_path, message))

    def field_problem(self, node, key, parent_path: str, message: str) -> None:
        self.problem(node, key, f"{parent_path}.{key}", message)

    def mapping(self, node, field_path: str, allowed: set[str], line_of=None) -> dict | None:
        if not isinstance(node, dict):
            self.problems.append(
                Problem(
                    _line(*line_of) if line_of else None,
                    field_path,
                    "should be a mapping of fields",
                )
            )
            return None
        if line_of:
            self.lines[id(node)] = _line(*line_of)
        for key in node:
            if key not in allowed:
                self.problem(
                    node,
                    key,
                    f"{field_path}.{key}",
                    f"unknown field (expected one of {', '.join(sorted(allowed))})",
                )
        return node

    def text(self, node: dict, key: str, field_path: str, required: bool = True) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.problem(node, None, f"{field_path}.{key}", "is missing")
            return None
        if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
            self.field_problem(node, key, field_path, "should be some text")
            return None
        return str(value).strip()

    def choice(self, node: dict, key: str, field_path: str, allowed, required=True) -> str | None:
        """One of the allowed words, or None (a problem said)."""
        value = self.text(node, key, field_path, required)
        if value is not None and value not in allowed:
            self.field_problem(node, key, field_path, f"should be one of {', '.join(allowed)}")
            return None
        return value

    def contact(self, node: dict, key: str, field_path: str, pattern, example: str):
        """An optional email address or mobile number, checked for a typing slip."""
        value = self.text(node, key, field_path, required=False)
        if value is not None and not pattern.match(re.sub(r"[\s()-]", "", value)):
            self.field_problem(node, key, field_path, f"should be {example}")
            return None
        return value

    def integer(self, node, key, field_path: str, low: int, high: int) -> int | None:
        value = node.get(key)
        if value is None:
            self.problem(node, None, f"{field_path}.{key}", "is missing")
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.problem(
                node, key, f"{field_path}.{key}", f"should be a whole number from {low} to {high}"
            )
            return None
        return value

    def key_list(
        self, node: dict, key: str, field_path: str, known: set[str], what: str
    ) -> list[str]:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.field_problem(node, key, field_path, f"should be a list of {what} keys")
            return []
        keys = []
        for item in value:
            if str(item) not in known:
                self.field_problem(node, key, field_path, f"names unknown {what} '{item}'")
            else:
                keys.append(str(item))
        return keys

    def items(self, root: dict, section: str):
        """The entries of a list section, each with its field path; keys must be unique."""
        value = root.get(section)
        if value is None:
            self.problem(root, None, section, "is missing")
            return
        if not isinstance(value, list) or not value:
            self.problem(root, section, section, "should be a list with at least one entry")
            return
        seen = set()
        for index, item in enumerate(value):
            field_path = f"{section}[{index}]"
            node = self.mapping(item, field_path, SECTIONS[section], line_of=(value, index))
            if node is None:
                continue
            key = self.text(node, "key", field_path)
            if key is not None:
                field_path = f"{section}[{key}]"
                if key in seen:
                    self.field_problem(node, "key", field_path, f"duplicate key '{key}'")
                    continue
                seen.add(key)
            yield key, node, field_path


def _line(node, key=None) -> int | None:
    """The 1-based line of a mapping key or a list item (or of the node itself)."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        if key is None:
            return lc.line + 1
        if isinstance(key, int):
            return lc.item(key)[0] + 1
        return lc.key(key)[0] + 1
    except (KeyError, IndexError, TypeError):
        return lc.line + 1


def _parse_date(value) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date) or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if "T" in value or " " in value.strip() else None


def parse_conference(text: str, path: str = "<conference file>") -> ConferenceSpec:
    try:
        root = YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        message = str(error.problem or error).strip()
        raise ConferenceFileError(path, [Problem(line, "file", message)]) from None
    return check_conference(root, path)


def check_conference(root, path: str = "<conference file>") -> ConferenceSpec:
    """Check a conference as the file gives it (mappings and lists, with line numbers when
    read from YAML): the one set of rules for the file and the coordinator's form alike."""
    reader = _Reader()
    root = reader.mapping(root, "file", set(SECTIONS))
    if root is None:
        raise ConferenceFileError(path, reader.problems)
    kind, when, local_authority = _read_conference(reader, root)
    out_of_hours = reader.text(root.get("conference") or {}, "out_of_hours", "conference", False)
    children = _read_children(reader, root)
    child_keys = {child.key for child in children}
    participants = _read_participants(reader, root, child_keys)
    danger_statements = _read_danger_statements(reader, root, kind, child_keys, participants)
    if reader.problems:
        raise ConferenceFileError(path, sorted(reader.problems, key=lambda p: p.line or 0))
    return ConferenceSpec(
        kind, when, local_authority, children, danger_statements, participants, out_of_hours
    )


def _read_conference(reader: _Reader, root: dict):
    node = reader.mapping(
        root.get("conference"), "conference", SECTIONS["conference"], line_of=(root, "conference")
    )
    if node is None:
        return None, None, None
    kind = reader.text(node, "type", "conference")
    if kind is not None and kind not in vocabulary.CONFERENCE_TYPES:
        reader.field_problem(node, "type", "conference", "should be initial or review")
    when = None
    if node.get("date") is None:
        reader.problem(node, None, "conference.date", "is missing")
    else:
        when = _parse_date(node["date"])
        if when is None:
            reader.field_problem(
                node, "date", "conference", "should be a date and time like 2026-12-15T10:00"
            )
    return kind, when, reader.text(node, "local_authority", "conference")


def _read_children(reader: _Reader, root: dict) -> list[ChildSpec]:
    children = []
    for key, node, field_path in reader.items(root, "children"):
        name = reader.text(node, "name", field_path)
        age = reader.integer(node, "age", field_path, 0, MAX_CHILD_AGE)
        if key is not None:
            children.append(ChildSpec(key, name, age))
    return children


def _read_participants(reader: _Reader, root: dict, child_keys: set[str]) -> list[ParticipantSpec]:
    participants = []
    for key, node, field_path in reader.items(root, "participants"):
        role = reader.choice(node, "role", field_path, vocabulary.ROLES)
        scores = node.get("scores")
        if scores is not None and not isinstance(scores, bool):
            reader.field_problem(node, "scores", field_path, "should be true or false")
        elif role is not None:
            if scores and not vocabulary.role_scores(role):
                reader.field_problem(
                    node, "scores", field_path, f"a {role.replace('_', ' ')} does not score"
                )
            scores = vocabulary.role_scores(role) if scores is None else scores
        child = None
        if role == "young_person":
            child = reader.text(node, "child", field_path)
            if child is not None and child not in child_keys:
                reader.field_problem(node, "child", field_path, f"names unknown child '{child}'")
        elif node.get("child") is not None:
            reader.field_problem(
                node, "child", field_path, "is only for a young person (use children)"
            )
        participant = ParticipantSpec(
            key=key,
            name=reader.text(node, "name", field_path),
            role=role,
            scores=bool(scores),
            agency=reader.text(node, "agency", field_path, required=False),
            email=reader.contact(
                node, "email", field_path, EMAIL, "an email address, like name@example.org"
            ),
            phone=reader.contact(
                node, "phone", field_path, MOBILE, "a mobile number, like 07700 900123"
            ),
            child=child,
            children=reader.key_list(node, "children", field_path, child_keys, "child"),
            channel=reader.choice(node, "channel", field_path, vocabulary.CHANNELS, required=False),
        )
        if key is not None:
            participants.append(participant)
    return participants


def _read_danger_statements(
    reader: _Reader, root: dict, kind, child_keys: set[str], participants: list[ParticipantSpec]
) -> list[DangerStatementSpec]:
    statements = root.get("danger_statements")
    if isinstance(statements, list) and len(statements) > vocabulary.MAX_DANGER_STATEMENTS:
        reader.problem(
            root,
            "danger_statements",
            "danger_statements",
            f"at most {vocabulary.MAX_DANGER_STATEMENTS} danger statements are allowed "
            f"(found {len(statements)})",
        )
    danger_statements = []
    for key, node, field_path in reader.items(root, "danger_statements"):
        statement = DangerStatementSpec(
            key=key,
            danger=reader.text(node, "danger", field_path),
            safety_goal=reader.text(node, "safety_goal", field_path),
            children=reader.key_list(node, "children", field_path, child_keys, "child"),
        )
        if node.get("children") is None:
            reader.problem(
                node,
                None,
                f"{field_path}.children",
                "is missing (the children this danger statement is about)",
            )
        if node.get("for_young_people") is not None:
            words = reader.mapping(
                node["for_young_people"],
                f"{field_path}.for_young_people",
                {"danger", "safety_goal"},
                line_of=(node, "for_young_people"),
            )
            if words is not None:
                where = f"{field_path}.for_young_people"
                statement.young_danger = reader.text(words, "danger", where)
                statement.young_safety_goal = reader.text(words, "safety_goal", where)
        previous = node.get("previous_scores")
        if previous is not None:
            statement.previous_scores = _read_previous_scores(
                reader, node, field_path, kind, participants
            )
        if key is not None:
            danger_statements.append(statement)
    return danger_statements


def _read_previous_scores(
    reader: _Reader, node: dict, field_path: str, kind, participants: list[ParticipantSpec]
) -> dict[str, int]:
    previous = node["previous_scores"]
    if kind == "initial":
        reader.field_problem(
            node, "previous_scores", field_path, "only a review conference has previous scores"
        )
        return {}
    if not isinstance(previous, dict):
        reader.field_problem(
            node, "previous_scores", field_path, "should map participant keys to scores"
        )
        return {}
    by_key = {participant.key: participant for participant in participants}
    field_path = f"{field_path}.previous_scores"
    scores = {}
    for participant_key in previous:
        participant = by_key.get(str(participant_key))
        if participant is None:
            reader.field_problem(
                previous,
                participant_key,
                field_path,
                f"names unknown participant '{participant_key}'",
            )
        elif participant.role is None:
            continue  # a wrong role is reported already; don't judge the score too
        elif not participant.scores:
            reader.field_problem(
                previous, participant_key, field_path, "this participant does not score"
            )
        elif reader.integer(previous, participant_key, field_path, 0, 10) is not None:
            scores[participant.key] = previous[participant_key]
    return scores


def load_conference_file(path: Path | str) -> ConferenceSpec:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConferenceFileError(
            path, [Problem(None, "file", f"cannot be read ({error})")]
        ) from None
    return parse_conference(text, str(path))
