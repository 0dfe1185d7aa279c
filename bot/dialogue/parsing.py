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
# Emoji people send for a reply; other emoji are dropped.
EMOJI_WORDS = {"👍": " ok ", "👌": " ok ", "✅": " yes ", "👎": " no ", "❌": " no "}
# Typos are forgiven only in longer words: "nan" (a grandmother) must not become "nah".
SLIP_MIN_LENGTH = 4


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
    """Is the whole message one of these phrases (allowing one slip in a longer phrase)?"""
    said = key(text)
    if not said:
        return False
    candidates = {key(phrase) for phrase in phrases}
    if said in candidates:
        return True
    return slips and any(
        len(phrase) >= SLIP_MIN_LENGTH and _one_slip(said, phrase) for phrase in candidates
    )


def means(agenda, text: str, group: str, slips: bool = True) -> bool:
    """Is the message one of the agenda's plain replies of this group (yes, send...), or a
    few of them with small talk between: "no, that's everything, thank you"."""
    phrases = agenda.replies.get(group, ())
    if matches(text, phrases, slips=slips):
        return True
    return _made_of(
        key(text).split(),
        {key(p) for p in phrases},
        {key(p) for p in agenda.replies.get("small_talk", ())},
    )


def _made_of(words: list[str], phrases: set[str], filler: set[str]) -> bool:
    """Can the words be split into these phrases (at least one) and filler?"""
    longest = max((len(p.split()) for p in phrases | filler), default=0)
    # reachable[i] is None (not reachable), False (only filler so far) or True.
    reachable: list[bool | None] = [False] + [None] * len(words)
    for start in range(len(words)):
        if reachable[start] is None:
            continue
        for length in range(1, longest + 1):
            piece = " ".join(words[start : start + length])
            if start + length > len(words):
                break
            if piece in phrases:
                reachable[start + length] = True
            elif piece in filler and reachable[start + length] is not True:
                reachable[start + length] = reachable[start]
    return bool(words) and reachable[-1] is True


def says(agenda, text: str, group: str) -> bool:
    """The whole message is one of this group's replies, or says one inside a sentence."""
    return means(agenda, text, group) or mentions(text, agenda.replies.get(group, ()))


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


def _contains(said: str, phrase: str) -> bool:
    return f" {phrase} " in f" {said} "


def mentions(text: str, phrases, guarded: bool = True) -> bool:
    """Does the message say one of these phrases inside a sentence ("yh that's right")?
    Not when the rest of it says no, not or nothing ("nothing to change" is no change),
    unless the phrases are the negative ones ("no, nobody sent it to me")."""
    said = key(text)
    found = [key(p) for p in phrases if key(p) and _contains(said, key(p))]
    rest = f" {said} "
    for phrase in sorted(found, key=len, reverse=True):
        rest = rest.replace(f" {phrase} ", " ")
    return bool(found) and not (guarded and NEGATION & set(rest.split()))


def match_option(text: str, options: tuple[Option, ...], replies: dict) -> Option | None:
    """The option a typed reply means: its payload, title, number in the list, the words
    the agenda gives for it (and for yes or no), or, inside a sentence, the words of one
    option only. An option's own words come before the general yes and no words ("not
    yet" is the option "Not yet", not "No")."""
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

    # Inside a sentence: "only the chair and my social worker pls", "yes I have read it".
    # A bare "Yes" or "No" title counts with the general yes and no words, not before them.
    def own_in_sentence(option: Option) -> list[str]:
        return [p for p in (option.title, *option.also) if key(p) not in ("yes", "no")]

    for words in (own_in_sentence, general):
        found = [o for o in options if mentions(text, words(o), guarded=key(o.key) != "no")]
        if len(found) == 1:
            return found[0]
    # Both yes and no words: the first said decides ("yes, no problem"; "no, yes later").
    if len(found) > 1:
        first = {o.key: min(_position(said, key(p)) for p in general(o)) for o in found}
        found.sort(key=lambda o: first[o.key])
        return found[0] if first[found[0].key] < first[found[1].key] else None
    return None


def _position(said: str, phrase: str) -> int:
    """Where a phrase starts in the message, as whole words; a large number if absent."""
    at = f" {said} ".find(f" {phrase} ")
    return at if at >= 0 and phrase else 10**6
