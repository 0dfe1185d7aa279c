"""The mark that keeps a typed message plain text inside Rasa (see bot/channels/rest.py).

A word joiner (U+2060) is invisible and not whitespace, so Rasa's `/intent` parsing, which
strips whitespace first, does not see a leading "/" behind it.
"""

AS_TEXT = "\u2060"


def as_plain_text(text: str) -> str:
    return AS_TEXT + text if text.lstrip().startswith("/") else text


def as_typed(text: str) -> str:
    """What the person typed, without the mark."""
    return text.replace(AS_TEXT, "")


# Said instead of an answer to a message over COMPANION_MESSAGE_MAX_CHARS, wherever it comes
# in (the web chat, Telegram, Rasa's REST webhook): nothing of it is read or kept.
TOO_LONG = "That message is too long for me. Please send it in shorter parts."
