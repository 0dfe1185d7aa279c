"""Turning what people type into values: scores, choices, numbers from a list, "that's all".

The words themselves (yes, send it, nothing, hello...) are data in the agenda's `replies`;
this module only decides how loosely a message may match them: whole messages, ignoring
case, punctuation, emoji and one-letter slips.
"""

from __future__ import annotations

import re

from bot.agenda.loader import Option, normalise

NUMBER_WORDS = {
    "zero": 0,
    "nought": 0,
    "nil": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "sixth": 6,
    "6th": 6,
}
OUT_OF_RANGE = -1
NEGATION = {
    *"not no never nothing nobody none without nah nope".split(),
    *"dont didnt havent hasnt wont cant isnt arent wasnt shouldnt wouldnt".split(),
}
PRONOUN_STARTS = {"i", "im", "ive", "id", "ill"}
# Words that make a reply conditional: "everyone except my dad" is not "everyone".
QUALIFIERS = {"but", "except", "apart", "besides", "unless", "although", "though", "excluding"}
# Emoji people send for a reply; other emoji are dropped.
EMOJI_WORDS = {"👍": " ok ", "👌": " ok ", "✅": " yes ", "👎": " no ", "❌": " no "}
# Typos are forgiven only in longer words: "come" must not become "some", nor "nan" "nah".
SLIP_MIN_LENGTH = 5


def parse_score(text: str) -> int | None:
    """A 0-10 score from "7", "seven", "about a 6", "6/10" or "6 out of 10".

    None when there is no single number; OUT_OF_RANGE for a number outside 0-10.
    """
    if re.search(r"-\s*\d", text):
        return OUT_OF_RANGE
    cleaned = normalise(text.replace("/", " out of "))
    cleaned = re.sub(r"\bout of (10|ten)\b", "", cleaned)
    numbers = [int(n) for n in re.findall(r"-?\d+", cleaned)]
    numbers += [NUMBER_WORDS[word] for word in cleaned.split() if word in NUMBER_WORDS]
    if len(set(numbers)) != 1:
        return None
    return numbers[0] if 0 <= numbers[0] <= 10 else OUT_OF_RANGE


# Spelt-out and contracted forms compare the same: "that is all" is "that's all".
CONTRACTIONS = {
    "that is": "thats",
    "it is": "its",
    "i am": "im",
    "i have": "ive",
    "do not": "dont",
    "did not": "didnt",
    "have not": "havent",
}


def key(text: str) -> str:
    """The form a reply is compared in: normalised, without apostrophes ("thats" = "that's")."""
    for emoji, word in EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    said = f" {normalise(text).replace(chr(39), '')} "
    for spelt, contracted in CONTRACTIONS.items():
        said = said.replace(f" {spelt} ", f" {contracted} ")
    return said.strip()


def _one_slip(a: str, b: str) -> bool:
    """True when a and b differ by one letter added, dropped, changed or swapped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        if len(diffs) == 1:
            return True
        i, j = diffs[0], diffs[-1]
        return len(diffs) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def matches(text: str, phrases, slips: bool = True) -> bool:
    """Is the whole message one of these phrases? One slipped letter is forgiven in a
    longer phrase, but never when the message says no ("dont" is not "done")."""
    said = key(text)
    if not said:
        return False
    candidates = {key(phrase) for phrase in phrases}
    if said in candidates:
        return True
    if not slips or NEGATION & set(said.split()):
        return False
    return any(len(p) >= SLIP_MIN_LENGTH and _one_slip(said, p) for p in candidates)


def means(agenda, text: str, group: str, slips: bool = True) -> bool:
    """Is the message one of the agenda's plain replies of this group (yes, send...), or a
    few of them with small talk and filler between: "no, that's everything, thank you"."""
    phrases = agenda.replies.get(group, ())
    if matches(text, phrases, slips=slips):
        return True
    filler = [*agenda.replies.get("small_talk", ()), *agenda.replies.get("filler", ())]
    return _made_of(key(text).split(), {key(p) for p in phrases}, {key(p) for p in filler})


def _made_of(words: list[str], phrases: set[str], filler: set[str]) -> bool:
    """Can the words be split into these phrases (at least one) and filler?"""
    longest = max((len(p.split()) for p in phrases | filler), default=0)
    # reachable[i] is None (not reachable), False (only filler so far) or True.
    reachable: list[bool | None] = [False] + [None] * len(words)
    for start in range(len(words)):
        if reachable[start] is None:
            continue
        for length in range(1, min(longest, len(words) - start) + 1):
            piece = " ".join(words[start : start + length])
            if piece in phrases:
                reachable[start + length] = True
            elif piece in filler and reachable[start + length] is not True:
                reachable[start + length] = reachable[start]
    return bool(words) and reachable[-1] is True


def list_number(text: str) -> int | None:
    """A position in a list: "2", "number 2", "option 2", "the second one", "2nd"."""
    words = key(text).split()
    if len(words) > 1:
        words = [w for w in words if w not in ("the", "one", "number", "option", "no")]
    if len(words) != 1:
        return None
    word = words[0]
    if word.isdigit():
        return int(word)
    return ORDINALS.get(word, NUMBER_WORDS.get(word))


def spans(said: str, phrases) -> tuple[list[str], str]:
    """The phrases said as whole words, longest first, none inside another already found;
    and what is left of the message without them."""
    found, rest = [], f" {said} "
    for phrase in sorted({key(p) for p in phrases if key(p)}, key=len, reverse=True):
        if f" {phrase} " in rest:
            found.append(phrase)
            rest = rest.replace(f" {phrase} ", " | ")
    return found, " ".join(w for w in rest.split() if w != "|")


def mentions(text: str, phrases) -> bool:
    """Does the message say one of these phrases inside a sentence ("hang on, I made a
    mistake")? Not when the rest says no, not, but or except: "nothing to change"."""
    found, rest = spans(key(text), phrases)
    return bool(found) and not (NEGATION | QUALIFIERS) & set(rest.split())


def _negative(phrase: str) -> bool:
    return bool(NEGATION & set(phrase.split()))


def _unsure(rest: str, negative: bool) -> bool:
    """The rest of a sentence around an option's words makes it unsure: a "but" or an
    "except", or a "not" beside a positive option."""
    words = set(rest.split())
    return bool(QUALIFIERS & words or (not negative and NEGATION & words))


def match_option(
    text: str, options: tuple[Option, ...], replies: dict, yes_no_in_sentence: bool = True
) -> Option | None:
    """The option a typed reply means: its payload, title or number in the list, the words
    the agenda gives for it (and for yes or no), with one slipped letter forgiven. An
    option's own words come before the general yes and no words ("not yet" is "Not yet",
    not "No"). Then one option's words inside a sentence, and unless told not to, a
    sentence that starts with yes or no."""
    said = key(text)
    if not said:
        return None
    number = list_number(text)
    if number is not None:
        return options[number - 1] if 1 <= number <= len(options) else None

    def own(option: Option) -> list[str]:
        return [option.key, option.title, *option.also]

    def general(option: Option) -> tuple[str, ...]:
        return replies.get(key(option.key), ()) if key(option.key) in ("yes", "no") else ()

    for slips in (False, True):
        for words in (own, lambda o: [*own(o), *general(o)]):
            found = [o for o in options if matches(text, words(o), slips=slips)]
            if len(found) == 1:
                return found[0]
    return _in_sentence(said, options, general if yes_no_in_sentence else lambda o: ())


def _in_sentence(said: str, options, general) -> Option | None:
    """One option's words inside a sentence: "only the chair and my social worker pls",
    "yeah I have read it", "no, nobody sent it to me". Nothing when the sentence qualifies
    ("everyone except my dad"), says yes and no, or says not to a positive choice."""
    own = {o.key: [p for p in (o.title, *o.also) if key(p) not in ("yes", "no")] for o in options}
    candidates = {}  # option key -> negative?
    for option in options:
        found, rest = spans(said, own[option.key])
        if not found:
            continue
        negative = any(_negative(p) for p in found) or key(option.key) == "no"
        if _unsure(rest, negative):
            return None
        candidates[option.key] = negative
    # The general yes or no words count only at the start, and not those that begin with
    # "I": "I'm scared they'll take the kids" does not start with the yes of "I am".
    leading = [
        (o, key(o.key) == "no")
        for o in options
        if any(
            said.startswith(key(p) + " ") and key(p).split()[0] not in PRONOUN_STARTS
            for p in general(o)
        )
    ]
    if leading:
        option, negative = leading[0]
        if candidates and set(candidates.values()) != {negative}:
            return None  # "no, only part of it": yes and no at once
        if not candidates:
            if _unsure(spans(said, general(option))[1], negative):
                return None
            candidates[option.key] = negative
    if len(candidates) != 1:
        return None
    return next(o for o in options if o.key in candidates)


# A score said first, with what leads up to it: "7", "about a 6", "I'd say 3", "6/10".
_SCORE_WORD = rf"(?:\d+|{'|'.join(NUMBER_WORDS)})"
_LEADING_SCORE = re.compile(
    r"^\W*(?:(?:i'?d|i would|id|i'?ll|i will)\s+(?:say|give it|go for|put)\s+"
    r"|(?:about|around|maybe|probably|roughly|prob|it'?s|its)\s+)*(?:an?\s+)?"
    rf"(?P<number>{_SCORE_WORD})(?:\s*(?:/|out of)\s*(?:10|ten))?\b",
    re.IGNORECASE,
)
# What joins a score to its reason: "7 because...", "6, as...", "5 - ...". Without one,
# "2 weeks ago Dave moved out, so 7" does not start with a score of 2.
_REASON_JOIN = re.compile(
    r"^\s*(?:[,.;:!)\-–—]+\s*(?:(?:because|cos|coz|cause|as|since|bc)\b)?"
    r"|(?:because|cos|coz|cause|as|since|bc)\b)\s*",
    re.IGNORECASE,
)


# A score said last, with what leads up to it: "Dave has moved out so 7", "..., I'd say a 6".
_TRAILING_SCORE = re.compile(
    r"[\s,.;:!\-–—]*(?:(?:so|and|then|thats|that's|which is|i'?d say|i would say|i'?d give it"
    r"|i give it|about|around|maybe|probably|roughly|its|it'?s|an?)\s+)*"
    rf"(?P<number>{_SCORE_WORD})(?:\s*(?:/|out of)\s*(?:10|ten))?\W*$",
    re.IGNORECASE,
)
# A hedge before the reason, not part of it: "about 6 i think because of the course".
_HEDGE = re.compile(r"^\s*[,.;:]?\s*(?:i think|i reckon|i guess|i suppose|i feel)\b[\s,]*", re.I)


def score_and_reason(text: str) -> tuple[int | None, str]:
    """A score and the words given with it, as its reason: "7 because Dave has moved out",
    "7 he has left", "Dave has moved out so 7" are 7 and what else was said. The number
    alone ("about a 6") has no reason. A message that does not start or end with its only
    number ("2 weeks ago Dave moved out, so 7") is read as parse_score reads it, and all of
    it kept as the reason."""
    number = parse_score(text)
    lead = _LEADING_SCORE.match(text)
    first = parse_score(lead.group(0)) if lead else None
    if first is not None and first != OUT_OF_RANGE:
        rest = text[lead.end() :]
        if not key(rest):  # "7", "7 🙂" (the button with its face)
            return first, ""
        join = _REASON_JOIN.match(rest)
        if join:  # "7 because 2 weeks ago...": the reason may hold other numbers
            return first, rest[join.end() :].strip()
        if number == first:  # "7 he has left", "about 6 i think because of the course"
            return first, _HEDGE.sub("", rest).strip()
    if number is None or number == OUT_OF_RANGE:
        return number, ""
    trail = _TRAILING_SCORE.search(text)
    if trail and parse_score(trail.group("number")) == number:
        return number, text[: trail.start()].strip()
    return number, text.strip()


# Where a choice said first ends and more words begin: "Partly. I got the ...".
_CLAUSE_END = re.compile(r"[.,;:!?\n]|\s[-–—]\s")


def leading_option(
    text: str, options: tuple[Option, ...], replies: dict
) -> tuple[Option | None, str]:
    """An option said on its own before more words: "Partly. I got the social worker's report
    on Friday but the school one never came" is Partly, and the rest is a note. Not when the
    rest qualifies it ("Everyone, except my dad") or names another option."""
    end = _CLAUSE_END.search(text)
    if end is None:
        return None, ""
    first, rest = text[: end.start()], text[end.end() :].strip()
    option = match_option(first, options, replies, yes_no_in_sentence=False)
    if option is None or not key(rest):
        return None, ""
    if key(rest).split()[0] in QUALIFIERS | {"not", "only", "just"}:
        return None, ""
    others = [o for o in options if o.key != option.key]
    if others and _in_sentence(key(rest), others, lambda o: ()) is not None:
        return None, ""
    return option, rest


# Names that are also everyday words: "I will ring my mum" is not about a child called Will.
# Such a name counts only as a name is written, with a capital ("Will", "Will's").
EVERYDAY_NAMES = set(
    """will may june april august rose daisy hope faith grace joy ivy holly lily poppy
    ruby amber pearl dawn summer autumn skye sky rain storm river brook star bill mark
    pat sue rob jack bob guy art frank gene herb lance miles ray reed rich rod sandy wade
    penny sunny chase cliff dean drew hunter mason carter cole heath jay robin max page
    harmony honey honour melody sonny marina""".split()
)


def names_in(text: str, names: list[str]) -> list[str]:
    """The names said in a sentence, whole words, with a possessive ("Ava's"), in the order
    given: in any case ("leo loves his football"), except a name that is also an everyday
    word, which needs its capital ("Will", not "I will ring my mum")."""
    said = f" {key(text)} "

    def named(name: str) -> bool:
        if key(name) in EVERYDAY_NAMES:  # as written, capital and all: "Will", "Will's"
            written = rf"(?<![\w']){re.escape(name.strip())}(?:['’]?s)?(?![\w'])"
            return re.search(written, text) is not None
        return any(f" {key(name)}{s} " in said for s in ("", "s"))

    return [name for name in names if named(name)]
