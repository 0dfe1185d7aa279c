"""The rule layer of the safeguarding detector: harm concepts, read from concepts/*.yml.

Each file names one kind of harm and lists its terms in four tiers (`danger`,
`danger_with_person`, `ask`: worth asking "are you safe right now?", `concern`);
everyday.yml lists what makes a message with harm words ordinary (idioms, play, harm that
is over, accidents, negation); now.yml what says harm is happening now, or is settled. A
safeguarding lead edits those files, not this code. Words are compared by their Snowball
stems, so a term written once matches its inflections; a one-letter slip in a long word
still matches.

The tiers only ever go down for a reason written in everyday.yml: a harm word inside an
idiom is nothing; play, accident, negation or harm that is over make danger a concern.
Nothing that touches a harm concept is silence here; whether it is, at a question that
asks about harm, is decided with the question (judge.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import snowballstemmer
from ruamel.yaml import YAML

from bot.safeguarding.built import built

FOLDER = Path(__file__).with_name("concepts")
TIERS = ("danger", "danger_with_person", "ask", "concern")
CUES = (
    "idioms", "play", "over", "now", "accident", "negators", "not_negations", "denials",
    "denying_subjects", "things", "body", "person", "imminent", "recent", "settled",
    "disputed", "process",
)  # fmt: skip
SIGNS = ("imminent", "recent", "settled", "disputed", "process")  # read by signs(), not the tiers
GAP = "..."
MAX_GAP = 4  # other words a "..." may stand for
NEAR = 5  # how close a person must be to a danger_with_person term

_stemmer = snowballstemmer.stemmer("english")


class ConceptsError(ValueError):
    pass


@dataclass(frozen=True)
class Hit:
    category: str
    tier: str  # one of TIERS, after everyday cues: "danger" or "concern"
    start: int
    end: int  # token positions, end exclusive
    why: str = ""  # the everyday cue that lowered it, if any
    term: str = ""  # the term as written in its file
    listed: str = ""  # the tier the term is listed under


@dataclass(frozen=True)
class Term:
    slots: tuple[str, ...]  # stems and GAP
    text: str
    needs: frozenset[str] = frozenset()  # its stems: a message without one cannot match


def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def _compile(text: str, where: str) -> Term:
    words = str(text).lower().split()
    if not words or words[0] == GAP or words[-1] == GAP:
        raise ConceptsError(f"{where}: '{text}' must start and end with a word")
    slots = tuple(GAP if w == GAP else stem(re.sub(r"[^\w]", "", w) or w) for w in words)
    return Term(slots, str(text), frozenset(slots) - {GAP})


class Terms:
    """A list of terms, indexed by their first stem so a message is read in one pass."""

    def __init__(self, terms: list[Term]):
        self.terms = terms
        self.by_first: dict[str, list[Term]] = {}
        for term in terms:
            self.by_first.setdefault(term.slots[0], []).append(term)

    def __iter__(self):
        return iter(self.terms)


def _terms(data: dict, name: str, where: str) -> Terms:
    values = data.get(name) or []
    if not isinstance(values, list):
        raise ConceptsError(f"{where}: {name}: should be a list of terms")
    return Terms([_compile(value, f"{where}: {name}") for value in values])


@dataclass(frozen=True)
class Lexicon:
    categories: dict[str, dict[str, Terms]]  # category -> tier -> terms
    cues: dict[str, Terms]
    variants: dict[str, str]
    ordinary: frozenset[str]  # long words never mended into a term word

    def words(self) -> dict[str, str]:
        """Every long word of the danger terms, by its surface form, for mending slips (a
        concern is not worth guessing at: "spelling" is not "swelling")."""
        found = {}
        for tiers in self.categories.values():
            for tier in ("danger", "danger_with_person"):
                for term in tiers[tier]:
                    for word in term.text.lower().split():
                        if len(word) >= 6 and word.isalpha():
                            found[word] = stem(word)
        return found


def load(folder: Path = FOLDER) -> Lexicon:
    yaml = YAML(typ="safe")
    categories = {}
    for path in sorted((folder / "harm").glob("*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8")) or {}
        unknown = set(data) - {"about", *TIERS}
        if unknown:
            raise ConceptsError(f"{path.name}: unknown section {', '.join(sorted(unknown))}")
        categories[path.stem] = {tier: _terms(data, tier, path.name) for tier in TIERS}
    if not categories:
        raise ConceptsError(f"{folder / 'harm'}: no harm concept files")
    everyday = yaml.load((folder / "everyday.yml").read_text(encoding="utf-8"))
    everyday["person"] = yaml.load((folder / "people.yml").read_text(encoding="utf-8"))["person"]
    now = yaml.load((folder / "now.yml").read_text(encoding="utf-8"))
    everyday.update({name: now[name] for name in SIGNS})
    cues = {name: _terms(everyday, name, "everyday.yml") for name in CUES}
    spelling = _spelling(folder)
    return Lexicon(
        categories,
        cues,
        {str(k): str(v) for k, v in (spelling.get("variants") or {}).items()},
        frozenset(spelling.get("ordinary") or []),
    )


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The concepts in FOLDER, read once (and kept for the next process: built.py)."""
    return built("concepts", load, [*FOLDER.rglob("*.yml"), Path(__file__)])


@lru_cache(maxsize=2)
def _spelling(folder: Path = FOLDER) -> dict:
    return YAML(typ="safe").load((folder / "spelling.yml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _rewrites() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(str(p)), str(r)) for p, r in _spelling().get("rewrites") or []]


def normalise(text: str) -> str:
    """Lower case, quotes straightened, repeated letters and text-speak spelled out."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"([a-z])\1{2,}", r"\1", text)  # "helppp" -> "help"
    for pattern, replacement in _rewrites():
        text = pattern.sub(replacement, text)
    return text


def words(text: str) -> tuple[list[str], list[int]]:
    """The message's words, and for each the number of its clause (split at punctuation,
    "but", "and", "so", "because")."""
    found, clause = [], []
    for number, part in enumerate(re.split(r"[.!?;:,\n]+|\b(?:but|and|so|because|cos)\b", text)):
        for word in re.findall(r"[a-z0-9'@*]+", part):
            found.append(re.sub(r"['*]", "", word))
            clause.append(number)
    return found, clause


def _within_one_edit(word: str, target: str) -> bool:
    if abs(len(word) - len(target)) > 1 or word[0] != target[0]:
        return False
    if len(word) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(word, target)) if a != b]
        return len(diffs) <= 1 or (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and word[diffs[0]] == target[diffs[1]]
            and word[diffs[1]] == target[diffs[0]]
        )
    short, long = sorted((word, target), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@lru_cache(maxsize=1)
def _known() -> tuple[frozenset[str], dict[str, str]]:
    lex = lexicon()
    long_words = lex.words()
    stems = {slot for t in lex.categories.values() for ts in t.values() for term in ts
             for slot in term.slots}  # fmt: skip
    return frozenset(stems), long_words


@lru_cache(maxsize=8192)
def stem_of(word: str) -> str:
    """A word's stem, its spelling variant mended and a slip in a long harm word forgiven."""
    lex = lexicon()
    word = lex.variants.get(word, word)
    stemmed = stem(word)
    stems, long_words = _known()
    if stemmed in stems or len(word) < 7 or word in lex.ordinary:
        return stemmed
    for target, target_stem in long_words.items():
        if _within_one_edit(word, target):
            return target_stem
    return stemmed


def _match(term: Term, stems: list[str], start: int) -> int | None:
    """Where the term ends if it matches from start, else None."""

    def walk(slot: int, at: int) -> int | None:
        if slot == len(term.slots):
            return at
        if term.slots[slot] == GAP:
            for skip in range(MAX_GAP + 1):
                end = walk(slot + 1, at + skip)
                if end is not None:
                    return end
            return None
        if at < len(stems) and stems[at] == term.slots[slot]:
            return walk(slot + 1, at + 1)
        return None

    return walk(0, start)


def find(terms: Terms, stems: list[str]) -> list[tuple[Term, int, int]]:
    """Each term found in the stems, with where it starts and ends."""
    found, present = [], set(stems)
    for start, first in enumerate(stems):
        for term in terms.by_first.get(first, ()):
            if not term.needs <= present:
                continue  # one of its words is not in the message at all
            end = _match(term, stems, start)
            if end is not None:
                found.append((term, start, end))
    return found


def spans(terms: Terms, stems: list[str]) -> list[tuple[int, int]]:
    return [(start, end) for _, start, end in find(terms, stems)]


def _near(spans: list[tuple[int, int]], start: int, end: int, distance: int) -> bool:
    return any(s < end + distance and e > start - distance for s, e in spans)


def _outside(spans: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The cue spans that are not part of the harm term itself ("made it look like an
    accident" keeps its danger)."""
    return [(s, e) for s, e in spans if e <= start or s >= end]


@lru_cache(maxsize=64)
def read(text: str) -> tuple[tuple[str, ...], tuple[int, ...], tuple[str, ...]]:
    """The message's words, their clauses and their stems (read once for every use)."""
    found, clause = words(normalise(text))
    return tuple(found), tuple(clause), tuple(stem_of(word) for word in found)


def signs(text: str) -> dict[str, bool]:
    """Whether the message says harm is happening now or about to (`imminent`), is over or
    managed (`settled`), or is disputed (`disputed`): now.yml, read with the question. A
    sign inside an idiom is none ("they bring it up like it was yesterday")."""
    lex = lexicon()
    stems = read(text)[2]
    idioms = spans(lex.cues["idioms"], stems)
    found = {
        name: any(not _near(idioms, start, end, 0) for start, end in spans(lex.cues[name], stems))
        for name in (*SIGNS, "over")
    }
    return {**found, "settled": found["settled"] or found["over"]}


def assess(text: str) -> list[Hit]:
    """Every harm concept the message touches, each with its tier after everyday cues."""
    lex = lexicon()
    _, clause, stems = read(text)
    cue = {name: spans(terms, stems) for name, terms in lex.cues.items()
           if name not in SIGNS}  # fmt: skip
    hits = []
    for category, tiers in lex.categories.items():
        for tier, terms in tiers.items():
            for term, start, end in find(terms, stems):
                if _near(cue["idioms"], start, end, 0):
                    continue  # "I could kill for a pizza"
                why = _lowered(tier, start, end, cue, clause, stems)
                level = "concern" if why else ("ask" if tier == "ask" else "danger")
                hits.append(Hit(category, level, start, end, why, term.text, tier))
    return hits


def _thing_does_it(start, end, outside, clause, stems) -> bool:
    """ "This toothache is killing me", "I hit my elbow": the nearest word before the term
    that could be its subject is a thing, or "I" did it to my own body part."""
    subjects = sorted(
        [(e, "thing") for s, e in outside["things"] if e <= start and clause[s] == clause[start]]
        + [(e, "person") for s, e in outside["person"] if e <= start and clause[s] == clause[start]]
    )
    if subjects and subjects[-1][1] == "thing" and start - subjects[-1][0] <= NEAR:
        return True
    own = start > 0 and "i" in stems[max(0, start - 2) : start]
    return own and any(s in (end, end + 1) for s, _ in outside["body"])


def _lowered(tier, start, end, cue, clause, stems) -> str:
    """Why a term found in a message is only a concern there, or "" if it stands."""
    if tier == "concern":
        return "concern"  # nothing to weigh: the cues below are for danger terms
    outside = {name: _outside(spans, start, end) for name, spans in cue.items()}
    if tier == "danger_with_person" and not _near(outside["person"], start, end, NEAR):
        return "no person"
    if tier == "danger_with_person" and _thing_does_it(start, end, outside, clause, stems):
        return "a thing, not a person"
    if _negated(tier, start, end, cue, outside, clause):
        return "negated"
    if outside["over"] and not outside["now"]:
        return "over"
    if tier == "danger_with_person" and outside["accident"]:
        return "accident"
    if tier == "danger_with_person" and outside["play"]:
        return "play"
    return ""


def _negated(tier, start, end, cue, outside, clause) -> bool:
    reach = NEAR + 1 if tier == "danger_with_person" else 3  # a strong term's "not" is close
    here = clause[start]
    return (
        any(
            clause[s] == here
            and 0 <= start - e < reach
            and not _near(cue["not_negations"], s, e, 0)
            for s, e in outside["negators"]  # "can't stop", "nobody would miss" are not
        )
        or any(clause[s] == here and 0 <= s - end <= 2 for s, _ in outside["denials"])
        or any(  # "Nobody at home hits me", "no adult has ever made me..."
            clause[s] == here and (s == 0 or clause[s - 1] != clause[s])
            for s, _ in outside["denying_subjects"]
        )
    )
