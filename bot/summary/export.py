"""The summary in each format the command line and the chair's pages give: the same bytes
from both."""

from __future__ import annotations

import json

from bot.summary.documents import to_docx, to_html
from bot.summary.markdown import to_markdown

FORMATS = ("json", "markdown", "html", "docx")
MEDIA_TYPES = {
    "json": ("application/json", "json"),
    "markdown": ("text/markdown", "md"),
    "html": ("text/html", "html"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}


def render(summary: dict, fmt: str, names: dict) -> bytes:
    if fmt == "json":
        return (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if fmt == "docx":
        return to_docx(summary, names)
    renderer = {"markdown": to_markdown, "html": to_html}[fmt]
    return renderer(summary, names).encode("utf-8")
