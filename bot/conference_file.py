"""Reading a conference file (YAML) into plain data, refusing anything doubtful.

Every problem names the field and the line, so whoever wrote the file can put it right.
Nothing here touches the database: a file is checked whole before anything is written.
"""

from __future__ import annotations

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


@dataclass
class ParticipantSpec:
    key: str
    name: str
    role: str
    scores: bool
    agency: str | None = None
    child: str | None = None
    children: list[str] = field(default_factory=list)


@dataclass
class ConferenceSpec:
    type: str
    date: datetime
    local_authority: str
    children: list[ChildSpec]
    danger_statements: list[DangerStatementSpec]
    participants: list[ParticipantSpec]


SECTIONS = {
    "conference": {"type", "date", "local_authority"},
    "children": {"key", "name", "age"},
    "danger_statements": {"key", "danger", "safety_goal", "children", "previous_scores"},
    "participants": {"key", "name", "role", "agency", "child", "children", "scores"},
}
MAX_CHILD_AGE = 18


class _Reader:
    """Walks the parsed YAML, keeping line numbers, collecting every problem."""

    def __init__(self):
        self.problems: list[Problem] = []
        self.lines: dict[int, int | None] = {}  # a mapping's line is where its key stands

    def problem(self, node, key, field_path: str, message: str) -> None:
        """A problem with a field (key) of node; key None means the node as a whole."""
        line = self.lines.get(id(node)) if key is None else None
        self.problems.append(Problem(line or _line(node, key), field_path, message))

    def mapping(self, node, field_path: str, allowed: set[str], line_of=None) -> dict | None:
        if not isinstance(node, dict):
            self.problems.append(
                Problem(_line(*line_of) if line_of else None, field_path, "should be a mapping of fields")
            )
            return None
        if line_of:
            self.lines[id(node)] = _line(*line_of)
        for key in node:
            if key not in allowed:
                self.problem(node, key, f"{field_path}.{key}", f"unknown field (expected one of {', '.join(sorted(allowed))})")
        return node

    def text(self, node: dict, key: str, field_path: str, required: bool = True) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.problem(node, None, f"{field_path}.{key}", "is missing")
            return None
        if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
            self.problem(node, key, f"{field_path}.{key}", "should be some text")
            return None
        return str(value).strip()

    def integer(self, node, key, field_path: str, low: int, high: int) -> int | None:
        value = node.get(key)
        if value is None:
            self.problem(node, None, f"{field_path}.{key}", "is missing")
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.problem(node, key, f"{field_path}.{key}", f"should be a whole number from {low} to {high}")
            return None
        return value

    def key_list(self, node: dict, key: str, field_path: str, known: set[str], what: str) -> list[str]:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(node, key, f"{field_path}.{key}", f"should be a list of {what} keys")
            return []
        keys = []
        for item in value:
            if str(item) not in known:
                self.problem(node, key, f"{field_path}.{key}", f"names unknown {what} '{item}'")
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
                    self.problem(node, "key", f"{field_path}.key", f"duplicate key '{key}'")
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
        raise ConferenceFileError(
            path, [Problem(mark.line + 1 if mark else None, "file", str(error.problem or error).strip())]
        ) from None
    reader = _Reader()
    root = reader.mapping(root, "file", set(SECTIONS))
    if root is None:
        raise ConferenceFileError(path, reader.problems)

    conference = reader.mapping(root.get("conference"), "conference", SECTIONS["conference"], line_of=(root, "conference"))
    kind = when = local_authority = None
    if conference is not None:
        kind = reader.text(conference, "type", "conference")
        if kind is not None and kind not in vocabulary.CONFERENCE_TYPES:
            reader.problem(conference, "type", "conference.type", "should be initial or review")
        if conference.get("date") is None:
            reader.problem(conference, None, "conference.date", "is missing")
        else:
            when = _parse_date(conference["date"])
            if when is None:
                reader.problem(conference, "date", "conference.date", "should be a date and time like 2026-12-15T10:00")
        local_authority = reader.text(conference, "local_authority", "conference")

    children = []
    for key, node, field_path in reader.items(root, "children"):
        name = reader.text(node, "name", field_path)
        age = reader.integer(node, "age", field_path, 0, MAX_CHILD_AGE)
        if key is not None:
            children.append(ChildSpec(key, name, age))
    child_keys = {child.key for child in children}

    participants = []
    for key, node, field_path in reader.items(root, "participants"):
        role = reader.text(node, "role", field_path)
        if role is not None and role not in vocabulary.ROLES:
            reader.problem(node, "role", f"{field_path}.role", f"should be one of {', '.join(vocabulary.ROLES)}")
            role = None
        scores = node.get("scores")
        if scores is not None and not isinstance(scores, bool):
            reader.problem(node, "scores", f"{field_path}.scores", "should be true or false")
        elif role is not None:
            if scores and not vocabulary.role_scores(role):
                reader.problem(node, "scores", f"{field_path}.scores", f"a {role.replace('_', ' ')} does not score")
            scores = vocabulary.role_scores(role) if scores is None else scores
        child = None
        if role == "young_person":
            child = reader.text(node, "child", field_path)
            if child is not None and child not in child_keys:
                reader.problem(node, "child", f"{field_path}.child", f"names unknown child '{child}'")
        elif node.get("child") is not None:
            reader.problem(node, "child", f"{field_path}.child", "is only for a young person (use children)")
        participant = ParticipantSpec(
            key=key,
            name=reader.text(node, "name", field_path),
            role=role,
            scores=bool(scores),
            agency=reader.text(node, "agency", field_path, required=False),
            child=child,
            children=reader.key_list(node, "children", field_path, child_keys, "child"),
        )
        if key is not None:
            participants.append(participant)
    scorers = {participant.key for participant in participants if participant.scores}
    everyone = {participant.key for participant in participants}
    # A participant whose role is wrong has been reported already; don't judge their scores.
    unsure = {participant.key for participant in participants if participant.role is None}

    danger_statements = []
    for key, node, field_path in reader.items(root, "danger_statements"):
        statement = DangerStatementSpec(
            key=key,
            danger=reader.text(node, "danger", field_path),
            safety_goal=reader.text(node, "safety_goal", field_path),
            children=reader.key_list(node, "children", field_path, child_keys, "child"),
        )
        if node.get("children") is None:
            reader.problem(node, None, f"{field_path}.children", "is missing (the children this danger statement is about)")
        previous = node.get("previous_scores")
        if previous is not None:
            if kind == "initial":
                reader.problem(node, "previous_scores", f"{field_path}.previous_scores", "only a review conference has previous scores")
            elif not isinstance(previous, dict):
                reader.problem(node, "previous_scores", f"{field_path}.previous_scores", "should map participant keys to scores")
            else:
                for participant_key in previous:
                    where = f"{field_path}.previous_scores.{participant_key}"
                    if str(participant_key) in unsure:
                        continue
                    if str(participant_key) not in everyone:
                        reader.problem(previous, participant_key, where, f"names unknown participant '{participant_key}'")
                    elif str(participant_key) not in scorers:
                        reader.problem(previous, participant_key, where, "this participant does not score")
                    elif reader.integer(previous, participant_key, field_path + ".previous_scores", 0, 10) is not None:
                        statement.previous_scores[str(participant_key)] = previous[participant_key]
        if key is not None:
            danger_statements.append(statement)
    statements = root.get("danger_statements")
    if isinstance(statements, list) and len(statements) > vocabulary.MAX_DANGER_STATEMENTS:
        reader.problem(
            root, "danger_statements", "danger_statements",
            f"at most {vocabulary.MAX_DANGER_STATEMENTS} danger statements are allowed (found {len(statements)})",
        )

    if reader.problems:
        raise ConferenceFileError(path, sorted(reader.problems, key=lambda p: p.line or 0))
    return ConferenceSpec(kind, when, local_authority, children, danger_statements, participants)


def load_conference_file(path: Path | str) -> ConferenceSpec:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConferenceFileError(path, [Problem(None, "file", f"cannot be read ({error})")]) from None
    return parse_conference(text, str(path))
