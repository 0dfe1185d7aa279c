"""Someone closing the page, or losing signal, before their request is whole is ordinary:
aiohttp logs it as an error with a traceback ("Error handling request ...
ConnectionResetError: Connection lost"), one for each. Here it is one plain line."""

from __future__ import annotations

import logging


class WentAway(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ConnectionError):  # aiohttp's own connection errors are too
            record.msg = "A request ended early: the other end went away (%s)."
            record.args = (str(error) or type(error).__name__,)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def install() -> None:
    logging.getLogger("aiohttp.server").addFilter(WentAway())
