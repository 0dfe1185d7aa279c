"""The summary as Markdown: the board in Signs of Safety columns, then the scaling table."""

from __future__ import annotations

from bot.summary.inert import markdown as md
from bot.summary.outline import PICTURES_HEADING, SCORE_HEADINGS, outline

PICTURE_ELSEWHERE = "(a picture: see the HTML or Word copy)"


def to_markdown(summary: dict, names: dict | None = None) -> str:
    """Our headings and layout as Markdown; every word that came from a person escaped."""
    view = outline(summary, names)
    lines = [
        f"# {md(view.title)}",
        "",
        md(view.subtitle),
        "",
        "## Danger statements and safety goals",
    ]
    for key, danger, goal in view.danger_statements:
        lines += ["", f"**{md(key)}** {md(danger)}", "", f"Safety goal: {md(goal)}"]
    for heading, columns in view.board:
        lines += ["", f"## {heading}"]
        for column, items in columns:
            lines += ["", f"### {column}", ""]
            lines += [f"- {md(item)}" for item in items] or ["- (none)"]
    lines += [
        "",
        "## Safety scores",
        "",
        "| " + " | ".join(SCORE_HEADINGS) + " |",
        "|" + "---|" * len(SCORE_HEADINGS),
    ]
    lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in view.scores]
    if view.pictures:
        # an image inside Markdown is a link a viewer may fetch or mangle: only say it is there
        lines += ["", f"## {PICTURES_HEADING}", ""]
        lines += [f"- {md(caption)} {PICTURE_ELSEWHERE}" for caption, _ in view.pictures]
    for heading, items in view.sections():
        if items:
            lines += ["", f"## {heading}", ""] + [f"- {md(item)}" for item in items]
    return "\n".join(lines) + "\n"
