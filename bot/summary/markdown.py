"""The summary as Markdown: the board in Signs of Safety columns, then the scaling table."""

from __future__ import annotations

from bot import vocabulary


def _who(item: dict, names: dict) -> str:
    name = names.get(item["participant"], item["participant"])
    return f"{name} ({vocabulary.ROLE_TITLES[item['role']].lower()})"


def to_markdown(summary: dict, names: dict | None = None) -> str:
    names = names or {}
    conference = summary["conference"]
    lines = [
        f"# {conference['type'].capitalize()} child protection conference, {conference['date']}",
        "",
        f"{conference['local_authority']}. Status: {conference['status']}.",
        "",
        "## Danger statements and safety goals",
    ]
    for statement in summary["danger_statements"]:
        lines += [
            "",
            f"**{statement['key']}** {statement['danger']}",
            "",
            f"Safety goal: {statement['safety_goal']}",
        ]
    board = list(vocabulary.board_for(conference["type"]))
    board.insert(2, ("What is not yet clear?", ("grey_areas",)))
    for heading, columns in board:
        lines += ["", f"## {heading}"]
        for column in columns:
            items = summary["columns"][column]
            lines += ["", f"### {vocabulary.COLUMN_TITLES[column]}", ""]
            lines += [f"- {item['text']} — {_who(item, names)}" for item in items] or ["- (none)"]
    lines += [
        "",
        "## Safety scores",
        "",
        "| Danger statement | Who | Score | Last time | Why | To move up |",
        "|---|---|---|---|---|---|",
    ]
    for score in summary["scores"]:
        previous = "" if score["previous"] is None else score["previous"]
        lines.append(
            f"| {score['danger_statement']} | {_who(score, names)} | {score['score']} | "
            f"{previous} | {score['reason'] or ''} | {score['next_point'] or ''} |"
        )
    if summary.get("for_chair"):
        lines += ["", "## For the chair", ""]
        for item in summary["for_chair"]:
            late = " (added after sending)" if item["added_after_sending"] else ""
            flag = " [look at this]" if item["flagged"] else ""
            lines.append(f"- {item['question']}: {item['text']}{late}{flag} — {_who(item, names)}")
    return "\n".join(lines) + "\n"
