"""The language pipeline of the safeguarding rule layer: spaCy, a blank English pipeline,
nothing downloaded.

- The tokenizer keeps a word as the rule layer always read one: letters, digits, "@" and
  the apostrophe or asterisk inside a word ("mum's", "f*ck"); every other character is a
  token of its own (punctuation, a newline), so a clause or a sentence can end there. Its
  special cases are our text-speak, read from concepts/spelling.yml (`variants`: "bf" is
  "boyfriend", "hittin" is "hitting"): the token keeps its spelling and its NORM is the
  word it means. The `rewrites` there (contractions, "2nite", "no one") are made first,
  on the whole message (concepts.normalise, shared with the classifier).
- The sentencizer ends a sentence at ".", "!", "?" or a new line, so a long answer is
  judged sentence by sentence (detector.py) and a disclosure buried in it stands out.
- The lemmatizer in lookup mode, with the English tables of `spacy-lookups-data`
  (installed from the lock, read offline): "took" is "take", "threw" is "throw".

concepts.py matches its terms on what this pipeline reads, with spaCy's PhraseMatcher and
Matcher.
"""

from __future__ import annotations

import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer

WORD_CHARS = "a-zA-Z0-9'@*"
QUOTES = "'*"  # around a word they are punctuation; inside one ("mum's") part of it
SENTENCE_ENDS = (".", "!", "?", "\n")


def _tokenizer(nlp: Language, variants: dict[str, str]) -> Tokenizer:
    other = rf"[^{WORD_CHARS}]"
    return Tokenizer(
        nlp.vocab,
        rules={
            spelling: [{"ORTH": spelling, "NORM": meaning}]
            for spelling, meaning in variants.items()
            if re.fullmatch(rf"[{WORD_CHARS}]+", spelling)
        },
        prefix_search=re.compile(rf"^(?:{other}|[{QUOTES}])").search,
        suffix_search=re.compile(rf"(?:{other}|[{QUOTES}])$").search,
        infix_finditer=re.compile(other).finditer,
    )


@lru_cache(maxsize=4)
def pipeline(variants: tuple[tuple[str, str], ...] = ()) -> Language:
    """spacy.blank("en") with our tokenizer, the sentencizer and the lookup lemmatizer
    (built once per set of text-speak variants: a few tenths of a second)."""
    nlp = spacy.blank("en")
    nlp.tokenizer = _tokenizer(nlp, dict(variants))
    nlp.add_pipe("sentencizer", config={"punct_chars": list(SENTENCE_ENDS)})
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # the lemmatizer's tables, from spacy-lookups-data on this machine
    return nlp


def sentences(nlp: Language, text: str) -> list[str]:
    """The message's sentences as it was typed (the classifier reads them, and counts their
    words), blank ones left out: the tokenizer and the sentencizer alone."""
    doc = nlp.get_pipe("sentencizer")(nlp.make_doc(text))
    return [sentence.text for sentence in doc.sents if sentence.text.strip()]
