"""A log line never carries what a participant typed, or an invite code.

Our own code logs ids and kinds, never words. Rasa and its libraries may quote a message:
at debug level ("Received user message '...'"), or in a warning about a message's shape.
This filter, on every handler of the process, replaces any quoted text that holds more than
a name and anything shaped like an invite code with '[hidden]'. Action names and our
sender ids ("action_answer", "test:kelly") stay, so the logs still say what happened.
"""

from __future__ import annotations

import logging
import re

# From a quote to the last of its kind on the line, so an apostrophe or an escaped quote
# inside the words ("I don't...", JSON's \") cannot end the hiding early.
QUOTED = re.compile(r"'(.*)'|\"(.*)\"")
# A name has a mark no plain word has ("test:kelly", "action_answer", "v1.2"): a single
# typed word ("hitting") is hidden too.
A_NAME = re.compile(r"[\w.:-]*[_.:\d-][\w.:-]*")
CODE_SHAPED = re.compile(r"(?<![\w-])[A-Za-z0-9_-]{22}(?![\w-])")  # bot/codes.py: 22 characters
# A chair's sign-in link (bot/review/signin.py), and a member of staff's (/staff/sign-in/).
SIGN_IN = re.compile(r"/sign-in/[A-Za-z0-9_-]+")
BOT_TOKEN = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")  # Telegram's address holds the bot's token
HIDDEN = "[hidden]"


def _hide(match: re.Match) -> str:
    inner = match.group(1) if match.group(1) is not None else match.group(2)
    return match.group(0) if A_NAME.fullmatch(inner) else f"'{HIDDEN}'"


def redact(message: str) -> str:
    message = BOT_TOKEN.sub(f"/bot{HIDDEN}", SIGN_IN.sub(f"/sign-in/{HIDDEN}", message))
    return CODE_SHAPED.sub(HIDDEN, QUOTED.sub(_hide, message))


class Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = redact(message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        if record.exc_info and not record.exc_text:  # an exception's message may quote too
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def install() -> None:
    """On every handler of every logger this process has now (call it once logging is set
    up), with Python's warnings turned into log records so they pass through it too."""
    logging.captureWarnings(True)
    loggers = [logging.getLogger(), *logging.root.manager.loggerDict.values()]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if not any(isinstance(f, Redact) for f in handler.filters):
                handler.addFilter(Redact())
