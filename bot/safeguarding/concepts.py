"""The rule layer of the safeguarding detector: harm concepts, read from concepts/*.yml.

Each file names one kind of harm and lists its terms in four tiers (`danger`,
`danger_with_person`, `ask`: worth asking "are you safe right now?", `concern`);
everyday.yml lists what makes a message with harm words ordinary (idioms, play, harm that
is over, accidents, negation); now.yml what says harm is happening now, or is settled. A
safeguarding lead edits those files, not this code.

A message is read by spaCy (nlp.py: a blank English pipeline, nothing downloaded), after
spelling.yml's rewrites ("im", "dont", "2nite": normalise(), which the classifier shares):
its tokenizer, with spelling.yml's variants as special cases ("bf" is "boyfriend"), gives
the words; punctuation and "but", "and", "so", "because" split them into clauses; its
sentencizer gives the sentences (detector.py); its lookup lemmatizer each word's lemma.
Words are compared by their Snowball stems, so a term written once matches its
inflections, and a one-letter slip in a long harm word is forgiven. A term listed under
`danger` also matches an irregular form through its lemma ("bent my fingers back": "bend
... finger ... back"), where the word as written is in no term. The terms are matched with
spaCy's PhraseMatcher (plain terms) and Matcher (a "..." in a term stands for up to four
other words), every list of every file in one pass over the message.

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
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from bot.safeguarding import nlp
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
CLAUSE_ENDS = frozenset(".!?;:,\n")
CONJUNCTIONS = frozenset(("but", "and", "so", "because", "cos"))  # they end a clause too

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


def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def _compile(text: str, where: str) -> Term:
    words = str(text).lower().split()
    if not words or words[0] == GAP or words[-1] == GAP:
        raise ConceptsError(f"{where}: '{text}' must start and end with a word")
    slots = tuple(GAP if w == GAP else stem(re.sub(r"[^\w]", "", w) or w) for w in words)
    return Term(slots, str(text))


Terms = list[Term]


def _terms(data: dict, name: str, where: str) -> Terms:
    values = data.get(name) or []
    if not isinstance(values, list):
        raise ConceptsError(f"{where}: {name}: should be a list of terms")
    return [_compile(value, f"{where}: {name}") for value in values]


@dataclass(frozen=True)
class Lexicon:
    categories: dict[str, dict[str, Terms]]  # category -> tier -> terms
    cues: dict[str, Terms]
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
    return Lexicon(categories, cues, frozenset(_spelling(folder).get("ordinary") or []))


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


def _variants() -> tuple[tuple[str, str], ...]:
    """Text-speak spellings and the word each means (spelling.yml), for the tokenizer."""
    return tuple((str(k), str(v)) for k, v in (_spelling().get("variants") or {}).items())


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
def _known() -> tuple[frozenset[str], dict[str, str], frozenset[str], frozenset[str]]:
    """The stems of the harm terms, the long danger words (for mending slips), the stems
    of the terms listed under `danger`, and those of every term (harm and everyday)."""
    lex = lexicon()
    harm = {tier: {slot for tiers in lex.categories.values() for term in tiers[tier]
                   for slot in term.slots} for tier in TIERS}  # fmt: skip
    cues = {slot for terms in lex.cues.values() for term in terms for slot in term.slots}
    stems = frozenset().union(*harm.values())
    return stems, lex.words(), frozenset(harm["danger"]), stems | cues


@lru_cache(maxsize=8192)
def stem_of(word: str) -> str:
    """A word's stem (its text-speak already spelled out by the tokenizer), a slip in a
    long harm word forgiven."""
    lex = lexicon()
    stemmed = stem(word)
    stems, long_words, _, _ = _known()
    if stemmed in stems or len(word) < 7 or word in lex.ordinary:
        return stemmed
    for target, target_stem in long_words.items():
        if _within_one_edit(word, target):
            return target_stem
    return stemmed


@lru_cache(maxsize=8192)
def lemma_stem_of(word: str, lemma: str) -> str:
    """What a term listed under `danger` is matched on: the stem of the word's lemma where
    the word's own stem is in no term at all and the lemma's is in a danger term ("bent":
    "bend", "breastfeeding": "breastfeed"), else stem_of(word). Only danger terms: the
    lookup table is blunt ("knew" is "know", "froze" "freeze", "dealt" "deal"), too blunt
    for the terms that need a person and the concerns; and a word a term names keeps its
    own stem ("this evening" is not "even", "not woken" is read as written)."""
    _, _, danger, every = _known()
    if lemma != word and stem(word) not in every and stem(lemma) in danger:
        return stem(lemma)
    return stem_of(word)


# spaCy keeps every word it has read in its vocabulary, for good: past this many, a fresh
# pipeline (and fresh matchers), so a long-running action server's memory stays bounded
MAX_STRINGS = 200_000


@dataclass(frozen=True)
class Reading:
    """A message as the rule layer reads it (nlp.py), once for every use."""

    words: tuple[str, ...]  # lower case, text-speak spelled out, quotes taken out
    clauses: tuple[int, ...]  # each word's clause
    stems: tuple[str, ...]  # each word's stem, as the terms are matched (stem_of)
    lemmas: tuple[str, ...]  # what danger terms are matched on (lemma_stem_of)
    sentences: tuple[str, ...]  # the sentencizer's sentences, as typed


@lru_cache(maxsize=64)
def read(text: str) -> Reading:
    """The message's words, each with the number of its clause (split at punctuation and
    at "but", "and", "so", "because"), their stems and lemmas, and its sentences."""
    pipeline = nlp.pipeline(_variants())
    doc = pipeline(normalise(text))
    found, clause, stems, lemmas, number = [], [], [], [], 0
    for token in doc:
        word = re.sub(r"['*]", "", token.norm_)
        if token.text in CLAUSE_ENDS or word in CONJUNCTIONS:
            number += 1
        elif word and re.match(rf"[{nlp.WORD_CHARS}]", token.text):
            found.append(word)
            clause.append(number)
            stems.append(stem_of(word))
            lemmas.append(lemma_stem_of(word, token.lemma_))
    sentences = nlp.sentences(pipeline, text)
    if len(pipeline.vocab.strings) > MAX_STRINGS:
        nlp.pipeline.cache_clear()  # the next message is read by a fresh one
    return Reading(tuple(found), tuple(clause), tuple(stems), tuple(lemmas), tuple(sentences))


class Matchers:
    """Every term of every list in the concept files, matched on a message's stems in one
    pass: plain terms by spaCy's PhraseMatcher, terms with "..." by its Matcher (each "..."
    a wildcard for up to MAX_GAP words). A message is a Doc whose words are its stems and
    whose lemmas are what danger terms are matched on (Reading). The Matcher tries every
    pattern at every word, and its wildcards cost: so there is one Matcher for the terms
    of the same words, and a message is read only by those whose words it has all (a tenth
    of a millisecond, where one Matcher of them all took several)."""

    def __init__(self, lex: Lexicon):
        self.lists = {("cue", name): terms for name, terms in lex.cues.items()}
        for category, tiers in lex.categories.items():
            self.lists |= {(category, tier): terms for tier, terms in tiers.items()}
        self.vocab = Vocab()
        self.phrases = {attr: PhraseMatcher(self.vocab, attr=attr) for attr in ("ORTH", "LEMMA")}
        self.gapped: dict[str, dict[frozenset[str], Matcher]] = {}  # first word, words
        self.terms: dict[int, tuple[tuple[str, str], int, Term]] = {}
        for key, terms in self.lists.items():
            for index, term in enumerate(terms):
                name = f"{key[0]}/{key[1]}/{index}"
                self.terms[self.vocab.strings.add(name)] = (key, index, term)
                attr = "LEMMA" if key[1] == "danger" else "ORTH"
                if GAP in term.slots:
                    pattern = [{"OP": f"{{0,{MAX_GAP}}}"} if slot == GAP else {attr: slot}
                               for slot in term.slots]  # fmt: skip
                    words = frozenset(term.slots) - {GAP}
                    first = self.gapped.setdefault(term.slots[0], {})
                    first.setdefault(words, Matcher(self.vocab)).add(name, [pattern])
                else:
                    slots = list(term.slots)
                    pattern = Doc(self.vocab, words=slots, lemmas=slots)
                    self.phrases[attr].add(name, [pattern])
        self.words_at_start = len(self.vocab.strings)  # its terms' own (matchers())

    def find(self, reading: Reading) -> dict[tuple[str, str], list[tuple[Term, int, int]]]:
        """Each list's terms found in the message, with where each starts and ends (the
        shortest match from a start), in the order of the message, then of the list."""
        stems = reading.stems
        doc = Doc(self.vocab, words=list(stems or [" "]), lemmas=list(reading.lemmas or [" "]))
        ends: dict[tuple[int, int], int] = {}
        matched = [*self.phrases["ORTH"](doc), *self.phrases["LEMMA"](doc)]
        present = {*stems, *reading.lemmas}
        for first in self.gapped.keys() & present:
            for words, matcher in self.gapped[first].items():
                if words <= present:
                    matched += matcher(doc)
        for match, start, end in matched:
            if end <= len(stems):
                ends[match, start] = min(end, ends.get((match, start), end))
        found: dict[tuple[str, str], list[tuple[int, int, Term, int]]] = {}
        for (match, start), end in ends.items():
            key, index, term = self.terms[match]
            found.setdefault(key, []).append((start, index, term, end))
        return {key: [(t, s, e) for s, _, t, e in sorted(hits, key=lambda h: h[:2])]
                for key, hits in found.items()}  # fmt: skip


_matchers: list[tuple[Lexicon, Matchers]] = []


def matchers() -> Matchers:
    """The matchers of lexicon(), built once for it (a fifth of a second)."""
    lex = lexicon()
    if (
        not _matchers
        or _matchers[0][0] is not lex
        or len(_matchers[0][1].vocab.strings) > _matchers[0][1].words_at_start + MAX_STRINGS
    ):
        _matchers[:] = [(lex, Matchers(lex))]
    return _matchers[0][1]


@lru_cache(maxsize=64)
def _found(found_by: Matchers, text: str) -> dict[tuple[str, str], list[tuple[Term, int, int]]]:
    return found_by.find(read(text))


def found(text: str) -> dict[tuple[str, str], list[tuple[Term, int, int]]]:
    """Every term the message holds, by list: ("cue", name) or (category, tier)."""
    return _found(matchers(), text)


def _spans(hits: list[tuple[Term, int, int]]) -> list[tuple[int, int]]:
    return [(start, end) for _, start, end in hits]


def _near(spans: list[tuple[int, int]], start: int, end: int, distance: int) -> bool:
    return any(s < end + distance and e > start - distance for s, e in spans)


def _outside(spans: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The cue spans that are not part of the harm term itself ("made it look like an
    accident" keeps its danger)."""
    return [(s, e) for s, e in spans if e <= start or s >= end]


def signs(text: str) -> dict[str, bool]:
    """Whether the message says harm is happening now or about to (`imminent`), is over or
    managed (`settled`), or is disputed (`disputed`): now.yml, read with the question. A
    sign inside an idiom is none ("they bring it up like it was yesterday")."""
    terms = found(text)
    idioms = _spans(terms.get(("cue", "idioms"), []))
    present = {
        name: any(
            not _near(idioms, start, end, 0) for _, start, end in terms.get(("cue", name), [])
        )
        for name in (*SIGNS, "over")
    }
    return {**present, "settled": present["settled"] or present["over"]}


def assess(text: str) -> list[Hit]:
    """Every harm concept the message touches, each with its tier after everyday cues."""
    lex = lexicon()
    reading, terms = read(text), found(text)
    clause, stems = reading.clauses, reading.stems
    cue = {name: _spans(terms.get(("cue", name), [])) for name in lex.cues
           if name not in SIGNS}  # fmt: skip
    hits = []
    for category, tiers in lex.categories.items():
        for tier in tiers:
            for term, start, end in terms.get((category, tier), []):
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
