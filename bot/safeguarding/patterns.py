"""The harm concepts the safeguarding detector looks for, read from harm_concepts.yml.

The words, spellings and shapes live in that file so a safeguarding lead can read, review
and extend them without code; this module reads it once, checks it (naming the field of
any mistake) and gives the matching code its sets and patterns.
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

HARM_CONCEPTS = Path(__file__).with_name("harm_concepts.yml")
LISTS = (
    "fuzzy_keywords ordinary_words context_free_immediate concern_only fades_with_time "
    "not_is_danger negators negating_after accident_after long_ago non_person body_parts"
).split()


class HarmConceptsError(ValueError):
    pass


def _read(path: Path) -> dict:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    problems = []
    for name in ("rewrites", "variants", "concepts", "shapes", *LISTS):
        if name not in data:
            problems.append(f"{path}: {name}: is missing")
    for kind, shapes in (data.get("shapes") or {}).items():
        for shape in shapes:
            for slot in str(shape).split():
                name = slot.rstrip("?*")
                if name.isupper() and name not in data.get("concepts", {}):
                    problems.append(f"{path}: shapes.{kind}: unknown concept {name} in '{shape}'")
    kinds = set(data.get("shapes") or {})
    for name in ("context_free_immediate", "concern_only", "fades_with_time", "not_is_danger"):
        for kind in set(data.get(name) or []) - kinds:
            problems.append(f"{path}: {name}: unknown kind {kind}")
    if problems:
        raise HarmConceptsError("\n".join(problems))
    return data


_DATA = _read(HARM_CONCEPTS)

REWRITES = [(str(pattern), str(replacement)) for pattern, replacement in _DATA["rewrites"]]
VARIANTS = {str(word): str(same) for word, same in _DATA["variants"].items()}
FUZZY_KEYWORDS = tuple(_DATA["fuzzy_keywords"])
ORDINARY_WORDS = set(_DATA["ordinary_words"])
WORDS = {name: {str(word) for word in words} for name, words in _DATA["concepts"].items()}
KNOWN_WORDS = set().union(*WORDS.values())
PATTERNS = {
    kind: [str(shape).split() for shape in shapes] for kind, shapes in _DATA["shapes"].items()
}
CONTEXT_FREE_IMMEDIATE = set(_DATA["context_free_immediate"])
CONCERN_KINDS = set(_DATA["concern_only"])
FADES_WITH_TIME = set(_DATA["fades_with_time"])
NOT_IS_DANGER = set(_DATA["not_is_danger"])
NEGATORS = set(_DATA["negators"])
NEGATING_AFTER = set(_DATA["negating_after"])
ACCIDENT_AFTER = set(_DATA["accident_after"])
LONG_AGO = tuple(_DATA["long_ago"])
NON_PERSON = set(_DATA["non_person"])
BODY_PARTS = set(_DATA["body_parts"])


def to_spacy(spec: list[str]) -> list[dict]:
    """A compact pattern as a spaCy Matcher pattern over the canonical forms."""
    pattern = []
    for slot in spec:
        op = slot[-1] if slot[-1] in "?*" else None
        name = slot.rstrip("?*")
        if name == "_":
            token = {}
        elif name in WORDS:
            token = {"_": {"canon": {"IN": sorted(WORDS[name])}}}
        else:
            token = {"_": {"canon": name}}
        if op:
            token["OP"] = op
        pattern.append(token)
    return pattern
