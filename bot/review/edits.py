"""The chair's edits, laid over the board that participants' answers make.

What a participant said is never changed: an edit is a row of its own (RecordEdit), and
the board shows the result with the original words kept beside it. Item ids: "a12" is
answer 12; "c3" is the chair's own item added by edit 3.

The family's copy is closed by default here too: an item merged with one the family may
not read is left out of their copy, and the chair's own item only when the chair said so.
A merged item is one item everywhere: the chair's copy keeps the folded words under
"also"; the family's names who said them and shows only the merged wording.
"""

from __future__ import annotations

from bot import vocabulary
from bot.model.tables import RecordEdit

KINDS = ("reword", "move", "merge", "add")


class EditRefused(ValueError):
    """An edit that cannot be made; its code names one of REFUSALS (pages show only these
    fixed words, never text from an address)."""

    def __init__(self, code: str):
        super().__init__(REFUSALS[code])
        self.code = code


REFUSALS = {
    "kind": "That is not a change the board can make.",
    "column": "Choose a column.",
    "text": "Write the words for the item.",
    "gone": "That item is no longer on the board. It may have been merged.",
    "child": "A child's own words are never reworded. Add your own item instead.",
    "other": "Choose another item on the board to merge with.",
}


def answer_item(answer_id: int) -> str:
    return f"a{answer_id}"


def _when(edit: RecordEdit) -> str:
    return edit.created_at.isoformat(timespec="seconds")


def apply_edits(
    columns: dict, edits: list[RecordEdit], family: bool, order: dict, current: dict, hidden: set
) -> dict:
    """The board's columns after the chair's edits. Parents first stays true wherever an
    item moves: items are ordered by `order` (participant key -> place in parents-first
    order), then as they were; the chair's own items come last.

    `current` maps an answer's item id to its newest version's, so a move or a merge
    follows an answer its author revised; a reword does not: their new words stand.
    `hidden` holds the ids of items the family may not read (their copy only)."""
    placed = {}  # id -> [column, item, rank]
    hidden = set(hidden)
    for column, items in columns.items():
        for item in items:
            placed[item["id"]] = [column, item, (order[item["participant"]], len(placed))]
    for edit in edits:
        change = {"kind": edit.kind, "by": edit.chair.key, "at": _when(edit)}
        if edit.kind == "add":
            if family and not edit.family_sees:
                hidden.add(f"c{edit.id}")
                continue
            item = {
                "id": f"c{edit.id}",
                "text": edit.text,
                "participant": edit.chair.key,
                "role": "chair",
                "children": [],
                "chair_item": True,
                **({} if family else {"family_sees": bool(edit.family_sees)}),
            }
            placed[item["id"]] = [edit.column_key, item, (len(order), edit.id)]
            continue
        target = current.get(edit.item, edit.item)
        if edit.kind == "reword" and target != edit.item:
            continue  # its author has changed these words since: theirs stand
        found = placed.get(target)
        if found is None:  # not in this copy, or folded into another item
            if edit.kind == "merge" and family and target in hidden:  # the rest of it goes too
                folded_id = current.get(edit.other_item, edit.other_item)
                if placed.pop(folded_id, None):
                    hidden.add(folded_id)
            continue
        column, item, _ = found
        if edit.kind == "move":
            change["from"] = column
            found[0] = edit.column_key
        elif edit.kind == "merge":
            folded_id = current.get(edit.other_item, edit.other_item)
            other = placed.pop(folded_id, None)
            if other is None:
                if family and folded_id in hidden:  # folded with words they may not read
                    del placed[target]
                    hidden.add(target)
                continue
            folded = other[1]
            kept = ("participant", "role") if family else ("participant", "role", "text")
            item["also"] = [
                *item.get("also", []),
                {key: folded[key] for key in kept},
                *folded.get("also", []),
            ]
            if not family:
                item["family_sees"] = item["family_sees"] and folded["family_sees"]
        # The chair's words for it, unless its author has changed theirs since.
        if edit.text and edit.kind in ("reword", "merge") and target == edit.item:
            item.setdefault("original", item["text"])
            item["text"] = edit.text
        item["changes"] = [*item.get("changes", []), change]
    board = {column: [] for column in vocabulary.COLUMNS}
    for column, item, _ in sorted(placed.values(), key=lambda found: found[2]):
        board[column].append(item)
    return board


def check_edit(
    columns: dict,
    kind: str,
    item: str | None,
    other: str | None,
    column: str | None,
    text: str | None,
) -> None:
    """Refuse an edit that makes no sense on the chair's board as it stands."""
    items = {i["id"]: i for found in columns.values() for i in found}
    if kind not in KINDS:
        raise EditRefused("kind")
    if kind in ("move", "add") and column not in vocabulary.COLUMNS:
        raise EditRefused("column")
    if kind in ("reword", "add") and not (text or "").strip():
        raise EditRefused("text")
    if kind == "add":
        return
    if item not in items:
        raise EditRefused("gone")
    if kind in ("reword", "merge") and text and items[item].get("child_voice"):
        raise EditRefused("child")
    if kind == "merge" and (other not in items or other == item):
        raise EditRefused("other")
    if kind == "merge" and text and items[other].get("child_voice"):
        raise EditRefused("child")  # new words for a merge would replace hers too
