"""The summary as HTML (GOV.UK Frontend classes, no assets) and as a Word document."""

from __future__ import annotations

import base64
import binascii
import io
import re

import jinja2
from docx import Document
from docx.shared import Cm

from bot.summary.inert import finalize, printable
from bot.summary.outline import PICTURES_HEADING, SCORE_HEADINGS, Outline, outline

# A picture's image in an export (bot/model/pictures.py `with_images`): only the two kinds
# the picture check makes (bot/pictures.py), both of which Word shows.
DATA_ADDRESS = re.compile(r"data:image/(?:png|jpeg);base64,([A-Za-z0-9+/=]+)")
PICTURE_WIDTH = Cm(8)

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("bot.summary", "templates"), autoescape=True, finalize=finalize
)


def to_html(summary: dict, names: dict | None = None) -> str:
    template = _templates.get_template("summary.html")
    return template.render(view=outline(summary, names), score_headings=SCORE_HEADINGS)


def to_docx(summary: dict, names: dict | None = None) -> bytes:
    """Word's XML holds text only: control characters are dropped, and nothing typed
    becomes a field, a formula or a link (every string is a plain run). A child's pictures
    go in as images, each with its caption, as in the HTML."""
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
    if view.pictures:
        document.add_heading(PICTURES_HEADING, level=2)
    for caption, src in view.pictures:
        if image := _image(src):
            document.add_picture(io.BytesIO(image), width=PICTURE_WIDTH)
        document.add_paragraph(caption)
    for heading, items in view.sections():
        if items:
            document.add_heading(heading, level=2)
            for item in items:
                document.add_paragraph(item, style="List Bullet")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _image(src: str) -> bytes | None:
    """The image bytes of a data: address; None for a link (the chair's picture page), which
    a file standing alone cannot follow."""
    found = DATA_ADDRESS.fullmatch(src)
    try:
        return base64.b64decode(found.group(1), validate=True) if found else None
    except binascii.Error:
        return None


def _printable(view: Outline) -> Outline:
    """The outline with every string it holds made printable."""

    def clean(value):
        if isinstance(value, str):
            return printable(value)
        if isinstance(value, (list, tuple)):
            return type(value)(clean(part) for part in value)
        return value

    return Outline(**{name: clean(value) for name, value in vars(view).items()})
