"""Reading and checking the agenda file: the questions, their wording, order and columns.

The file is checked whole when it is loaded, so a partnership's own agenda with a typo
fails at start-up naming the field and line, never half-way through a parent's answers.
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from bot import vocabulary
from bot.deadlines import working_days_before

DEFAULT_AGENDA = Path(__file__).with_name("default.yml")
KINDS = ("info", "text", "choice", "score", "check", "consent", "share")
HOUSES = ("good_things", "worries", "dreams")
COMMANDS = ("back", "skip", "pause", "help", "stop", "misunderstood")
# Plain replies understood as whole messages at choices, the read-back and open questions.
REPLIES = ("yes", "no", "send", "change", "nothing_more", "small_talk", "filler")
# Groups a partnership's older agenda may lack: without them, no example, and which child
# is asked unless a name is given.
OPTIONAL_REPLIES = ("stuck", "all_children")
# The names a wording may use; {danger} and friends only in scaling questions ({statement}
# is a child's wording of the danger statement, or nothing).
PLACEHOLDERS = set(
    "name date local_authority children children_or chair deadline danger safety_goal statement "
    "score next_score previous text count number reason next_point label link".split()
)
QUESTION_FIELDS = set(
    "key kind text column repeat about_children per options suggestions skip_button "
    "conference_types roles previous reason next_point at_top label house only_if "
    "age_bands faces takes_yes_no about_harm picture".split()
)
WORDING_KEYS = {"family", "young_person", "professional", *vocabulary.CONFERENCE_TYPES}


class AgendaError(ValueError):
    pass


@dataclass(frozen=True)
class Option:
    key: str
    title: str
    flag: bool = False
    also: tuple[str, ...] = ()  # other words people type for it: "a bit" for "Partly"


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    section: str
    text: object = None  # a wording: str, or a mapping by audience / conference type
    column: str | None = None
    repeat: bool = False
    about_children: bool = False
    per: str | None = None
    options: tuple[Option, ...] = ()
    suggestions: tuple[str, ...] = ()
    skip_button: object = None  # a wording, like text
    label: str | None = None  # names an answer outside the columns, for the chair
    house: str | None = None  # a Three Houses question: its answers are the child's voice
    only_if: dict | None = None  # {question key: [choices]}: asked only after one of them
    age_bands: tuple[str, ...] | None = None  # young people: only for these bands
    faces: bool = False  # score buttons with faces, for children
    takes_yes_no: bool = False  # a bare "yes" or "no" is an answer here, not "nothing to add"
    # Its answers are expected to talk about harm (the dangers, worries, what is wrong in
    # the reports): there, harm that is over, managed or disputed is an answer, and only
    # signs of now stop the questions (bot/safeguarding/judge.py).
    about_harm: bool = False
    # A child may send a picture for the chair here (her houses take pictures anyway).
    picture: bool = False
    conference_types: tuple[str, ...] | None = None
    roles: tuple[str, ...] | None = None
    prompts: dict = field(default_factory=dict)  # score follow-ups: previous, reason, ...

    def applies_to(self, role: str, conference_type: str, band: str | None) -> bool:
        return (
            (self.roles is None or role in self.roles)
            and (self.conference_types is None or conference_type in self.conference_types)
            and (self.age_bands is None or band in self.age_bands)
        )


@dataclass
class Agenda:
    commands: dict[str, str]  # normalised phrase -> command
    flows: dict[str, dict[str, list[str]]]
    sections: dict[str, list[Question]]
    messages: dict[str, str]
    replies: dict[str, tuple[str, ...]] = field(default_factory=dict)  # group -> phrases
    age_bands: list[tuple[str, int]] = field(default_factory=list)  # (band, up to age)
    report_deadline_working_days: dict[str, int] = field(default_factory=dict)

    def report_deadline(self, conference):
        """The date professionals' reports should reach the family by, if the agenda says."""
        days = self.report_deadline_working_days.get(conference.type)
        return None if days is None else working_days_before(conference.date.date(), days)

    def questions_for(self, role: str, conference_type: str, band: str | None = None):
        if role not in vocabulary.ANSWERING_ROLES:
            return []
        order = self.flows.get(vocabulary.AUDIENCES[role], {}).get(conference_type, [])
        return [
            question
            for section in order
            for question in self.sections[section]
            if question.applies_to(role, conference_type, band)
        ]

    def band_for(self, age: int | None) -> str | None:
        if age is None:
            return None
        return next((band for band, up_to in self.age_bands if age <= up_to), None)

    def question(self, key: str) -> Question | None:
        """The question behind an answer's key ("scale@D1" and "seen_report:note" too)."""
        key = key.split(":")[0].split("@")[0]
        return next((q for qs in self.sections.values() for q in qs if q.key == key), None)

    def label(self, question_key: str) -> str:
        """What an answer outside the columns was about, e.g. "Seen the report"; a note
        kept beside an answer, "Seen the report: also said"."""
        if ":" in question_key:
            note = words(self.messages["note_label"], "professional", "review")
            return f"{self.label(question_key.split(':')[0])}: {note}"
        question = self.question(question_key)
        if question and question.label:
            return question.label
        return question_key.split("@")[0].replace("_", " ").capitalize()

    def command(self, text: str) -> str | None:
        return self.commands.get(normalise(text))


def normalise(text: str) -> str:
    """Lower case, no punctuation but apostrophes, single spaces."""
    text = text.lower().replace("\u2019", "'")
    return " ".join(re.sub(r"[^\w\s']", " ", text).split())


def words(wording, audience: str, conference_type: str, band: str | None = None) -> str:
    """Pick the text for this audience and conference type from a wording."""
    while isinstance(wording, dict):
        for key in (band, audience, conference_type):
            if key in wording:
                wording = wording[key]
                break
        else:
            wording = next(iter(wording.values()))
    return wording or ""


class _Blanks(dict):
    def __missing__(self, key):  # an unknown name is left visible rather than crashing
        return "{" + key + "}"


def fill(template: str, **values) -> str:
    return string.Formatter().vformat(template, (), _Blanks(values))


def _placeholders(wording) -> set[str]:
    if isinstance(wording, dict):
        return set().union(*(_placeholders(value) for value in wording.values()))
    if not isinstance(wording, str):
        return set()
    return {name for _, name, _, _ in string.Formatter().parse(wording) if name}


class _Checker:
    def __init__(self, path: str, bands: set[str]):
        self.path = path
        self.problems: list[str] = []
        self.wording_keys = WORDING_KEYS | bands

    def fail(self, node, key, field_path: str, message: str) -> None:
        line = _line(node, key)
        self.problems.append(f"{self.path} line {line}: {field_path}: {message}")

    def wording(self, node, key, field_path: str) -> None:
        wording = node.get(key)
        if isinstance(wording, dict):
            unknown = set(wording) - self.wording_keys
            if unknown:
                self.fail(node, key, field_path, f"unknown wording keys {sorted(unknown)}")
        elif not isinstance(wording, str):
            self.fail(node, key, field_path, "should be a text, or texts by audience")
        unknown = _placeholders(wording) - PLACEHOLDERS
        if unknown:
            self.fail(node, key, field_path, f"unknown names {sorted(unknown)}")


def _line(node, key) -> int | None:
    try:
        position = node.lc.item(key) if isinstance(key, int) else node.lc.key(key)
        return position[0] + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return getattr(getattr(node, "lc", None), "line", -1) + 1


def _question(check: _Checker, node, section: str, field_path: str) -> Question | None:
    if not isinstance(node, dict):
        check.problems.append(f"{check.path}: {field_path}: should be a mapping")
        return None
    for key in set(node) - QUESTION_FIELDS:
        check.fail(node, key, f"{field_path}.{key}", "unknown field")
    kind = node.get("kind")
    if kind not in KINDS:
        check.fail(node, "kind", f"{field_path}.kind", f"should be one of {', '.join(KINDS)}")
        return None
    if kind != "check":
        check.wording(node, "text", f"{field_path}.text")
    column = node.get("column")
    if column is not None and column not in vocabulary.COLUMNS:
        check.fail(node, "column", f"{field_path}.column", f"should be one of {vocabulary.COLUMNS}")
    options = tuple(
        Option(
            str(option["key"]),
            str(option["title"]),
            bool(option.get("flag", False)),
            tuple(str(phrase) for phrase in option.get("also") or ()),
        )
        for option in node.get("options") or []
    )
    if kind in ("choice", "consent", "share") and not options:
        check.fail(node, "kind", f"{field_path}.options", "a choice needs options")
    house = node.get("house")
    if house is not None and house not in HOUSES or (kind == "share" and house is None):
        check.fail(node, "house", f"{field_path}.house", f"should be one of {HOUSES}")
    prompts = {
        key: node[key] for key in ("previous", "reason", "next_point", "at_top") if key in node
    }
    for key in [*prompts, *(["skip_button"] if "skip_button" in node else [])]:
        check.wording(node, key, f"{field_path}.{key}")
    if kind == "score" and not {"reason", "next_point", "at_top"} <= set(prompts):
        check.fail(node, "kind", field_path, "a score needs reason, next_point and at_top")
    return Question(
        key=str(node.get("key")),
        kind=kind,
        section=section,
        text=node.get("text"),
        column=column,
        repeat=bool(node.get("repeat", False)),
        about_children=bool(node.get("about_children", False)),
        per=node.get("per"),
        options=options,
        suggestions=tuple(node.get("suggestions") or ()),
        skip_button=node.get("skip_button"),
        label=node.get("label"),
        house=house,
        only_if=dict(node["only_if"]) if "only_if" in node else None,
        age_bands=tuple(node["age_bands"]) if "age_bands" in node else None,
        faces=bool(node.get("faces", False)),
        takes_yes_no=bool(node.get("takes_yes_no", False)),
        about_harm=bool(node.get("about_harm", False)),
        picture=bool(node.get("picture", False)),
        conference_types=tuple(node["conference_types"]) if "conference_types" in node else None,
        roles=tuple(node["roles"]) if "roles" in node else None,
        prompts=prompts,
    )


def parse_agenda(text: str, path: str, required_messages: set[str] = frozenset()) -> Agenda:
    try:
        root = YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        raise AgendaError(f"{path}: {error}") from None
    bands = [(str(band["key"]), int(band["up_to"])) for band in root.get("age_bands") or []]
    check = _Checker(path, {band for band, _ in bands})
    for section in ("commands", "replies", "flows", "sections", "messages"):
        if not isinstance(root.get(section), dict):
            check.fail(root, section, section, "is missing or not a mapping")
    if check.problems:
        raise AgendaError("\n".join(check.problems))

    commands = {}
    for command, phrases in root["commands"].items():
        if command not in COMMANDS:
            check.fail(root["commands"], command, f"commands.{command}", f"not one of {COMMANDS}")
        for phrase in phrases or []:
            commands[normalise(str(phrase))] = command

    replies = {}
    for group, phrases in root["replies"].items():
        if group not in REPLIES + OPTIONAL_REPLIES:
            known = REPLIES + OPTIONAL_REPLIES
            check.fail(root["replies"], group, f"replies.{group}", f"not one of {known}")
        replies[str(group)] = tuple(str(phrase) for phrase in phrases or ())
    for group in set(REPLIES) - set(replies):
        check.problems.append(f"{path}: replies.{group}: is missing")

    sections, seen = {}, set()
    for name, questions in root["sections"].items():
        sections[name] = []
        for index, node in enumerate(questions or []):
            question = _question(check, node, name, f"sections.{name}[{index}]")
            if question is None:
                continue
            if question.key in seen:
                check.fail(node, "key", f"sections.{name}[{index}].key", "duplicate key")
            seen.add(question.key)
            sections[name].append(question)

    flows = {}
    for audience, by_type in root["flows"].items():
        flows[audience] = {}
        for conference_type, order in by_type.items():
            for section in order:
                if section not in sections:
                    check.fail(
                        by_type,
                        conference_type,
                        f"flows.{audience}.{conference_type}",
                        f"names unknown section '{section}'",
                    )
            flows[audience][conference_type] = list(order)

    messages = {str(key): value for key, value in root["messages"].items()}  # wordings
    for key in required_messages - set(messages):
        check.problems.append(f"{path}: messages.{key}: is missing")
    for key in messages:
        check.wording(root["messages"], key, f"messages.{key}")
    for name, questions in sections.items():
        for question in questions:
            for key in question.only_if or {}:
                if key not in seen:
                    check.problems.append(
                        f"{path}: sections.{name}.{question.key}.only_if: unknown question '{key}'"
                    )
    deadlines = dict(root.get("report_deadline_working_days") or {})
    if check.problems:
        raise AgendaError("\n".join(check.problems))
    return Agenda(commands, flows, sections, messages, replies, bands, deadlines)


@lru_cache(maxsize=4)
def _load(path: str) -> Agenda:
    default_messages = set(YAML(typ="safe").load(DEFAULT_AGENDA.read_text())["messages"])
    return parse_agenda(Path(path).read_text(encoding="utf-8"), path, default_messages)


def load_agenda(path: str | None = None) -> Agenda:
    """The agenda in COMPANION_AGENDA, or the default one; loaded once per process."""
    return _load(str(path or os.environ.get("COMPANION_AGENDA") or DEFAULT_AGENDA))
