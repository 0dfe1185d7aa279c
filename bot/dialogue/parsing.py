"""Turning what people type into values: scores, choices, "that's all"."""

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
OUT_OF_RANGE = -1

YES = {"yes", "y", "yeah", "yep", "yes please", "ok", "okay", "sure", "i have", "i did"}
NO = {"no", "n", "nope", "no thanks", "no thank you", "not yet", "i haven't", "i have not"}
NOTHING_MORE = NO | {
    "nothing",
    "nothing else",
    "that's all",
    "thats all",
    "that's it",
    "done",
    "no more",
    "no that's all",
    "no, that's all",
    "none",
    "all done",
}


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


def match_option(text: str, options: tuple[Option, ...]) -> Option | None:
    """The option whose key (a button's payload) or title was sent; yes/no words too."""
    said = normalise(text)
    for option in options:
        if said in (normalise(option.key), normalise(option.title)):
            return option
    for option in options:
        if normalise(option.key) == "yes" and said in YES:
            return option
        if normalise(option.key) == "no" and said in NO:
            return option
    return None


def means_nothing_more(text: str) -> bool:
    return normalise(text) in {normalise(phrase) for phrase in NOTHING_MORE}
