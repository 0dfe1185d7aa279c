"""The summary as HTML (GOV.UK Frontend classes, no assets) and as a Word document."""

from __future__ import annotations

import io

import jinja2
from docx import Document

from bot.summary.inert import finalize, printable
from bot.summary.outline import SCORE_HEADINGS, Outline, outline

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("bot.summary", "templates"), autoescape=True, finalize=finalize
)


def to_html(summary: dict, names: dict | None = None) -> str:
    template = _templates.get_template("summary.html")
    return template.render(view=outline(summary, names), score_headings=SCORE_HEADINGS)


def to_docx(summary: dict, names: dict | None = None) -> bytes:
    """Word's XML holds text only: control characters are dropped, and nothing typed
    becomes a field, a formula or a link (every string is a plain run)."""
    view = _printable(outline(summary, names))
    document = Document()
    document.add_heading(view.title, level=1)
    document.add_paragraph(view.subtitle)
    document.add_heading("Danger statements and safety goals", level=2)
    for key, danger, goal in view.danger_statements:
        document.add_paragraph().add_run(key).bold = True
        document.add_paragraph(danger)
        document.add_paragraph(f"Safety goal: {goal}")
    for heading, columns in view.board:
        document.add_heading(heading, level=2)
        for column, items in columns:
            document.add_heading(column, level=3)
            for item in items or ["(none)"]:
                document.add_paragraph(item, style="List Bullet")
    document.add_heading("Safety scores", level=2)
    table = document.add_table(rows=1, cols=len(SCORE_HEADINGS))
    for cell, heading in zip(table.rows[0].cells, SCORE_HEADINGS):
        cell.text = heading
    for row in view.scores:
        for cell, value in zip(table.add_row().cells, row):
            cell.text = value
    for heading, items in view.sections():
        if items:
            document.add_heading(heading, level=2)
            for item in items:
                document.add_paragraph(item, style="List Bullet")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _printable(view: Outline) -> Outline:
    """The outline with every string it holds made printable."""

    def clean(value):
        if isinstance(value, str):
            return printable(value)
        if isinstance(value, (list, tuple)):
            return type(value)(clean(part) for part in value)
        return value

    return Outline(**{name: clean(value) for name, value in vars(view).items()})
