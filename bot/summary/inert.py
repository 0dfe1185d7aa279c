"""What participants typed, made inert for each way the record is shown.

The JSON keeps their words exactly as typed: it is the faithful machine-readable copy.
Everywhere else: control characters (NUL, BEL, ESC and the like, which are not text and
break Word's XML or recolour a terminal; and the bidirectional controls, which reorder the
text after them) are dropped, keeping tab and newline; HTML is escaped by Jinja's
autoescape; Markdown escapes every character that could make markup, a link or a table cell
of their words.
"""

from __future__ import annotations

import re

from markupsafe import Markup

# Control characters, lone surrogates and the two noncharacters XML refuses; and the
# bidirectional controls (embeddings, overrides, isolates and the direction marks), since an
# unclosed right-to-left override would reverse whatever follows their words on the line:
# who said it, "(not shared with the family)". The bidi algorithm still orders their
# Arabic or Hebrew letters as written; only the invisible controls go.
CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
    r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
# What can start markup, a link or an image ("[" and "]"), HTML or a table cell anywhere in a
# line; "(" and "!" make nothing without "[" (our
# own layout puts every line of theirs after a bullet, so "-", "+" and "1." cannot).
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&])")


def printable(text: str) -> str:
    return CONTROL.sub("", text)


def finalize(value):
    """Jinja's `finalize`: every expression's output without control characters. Markup
    (a macro's own HTML) stays Markup, so it is not escaped a second time."""
    if isinstance(value, Markup):
        return Markup(printable(value))
    return printable(value) if isinstance(value, str) else value


def markdown(text: str) -> str:
    """One line of Markdown that says the words and nothing more."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", printable(text).replace("\r", " ").replace("\n", " "))
