"""`companion serve`: check what the stack needs, create or migrate the database, prepare
the demo, then become the supervisor (bot/launcher/supervise.py) that runs the stack."""

from __future__ import annotations

import sys

from bot.launcher.demo import prepare_demo
from bot.launcher.preflight import NotReachable, preflight
from bot.launcher.supervise import hand_over
from bot.links import invite_links
from bot.model.database import setup
from bot.settings import Settings


def serve(settings: Settings, demo: bool = False) -> int:
    try:
        preflight(settings)
    except NotReachable as error:
        print(f"Not starting: {error}", file=sys.stderr)
        return 1
    if not settings.rasa_bin.exists():
        print(
            f"Not starting: Rasa's environment is missing ({settings.rasa_bin}); run make setup.",
            file=sys.stderr,
        )
        return 1
    setup(settings)
    invites, chair_link = prepare_demo(settings) if demo else ([], None)

    lines = [
        "Conference Companion is running.",
        f"  Chat (Rasa REST):  {settings.rasa_url}/webhooks/rest/webhook",
        f"  Web app:           {settings.web_url}/",
        f"  Action server:     {settings.action_url}/health",
    ]
    if invites:
        lines.append(
            "Demo conference invites. Try the chat in another terminal with\n"
            "  .venv/bin/companion chat CODE\n"
            "or send `/start CODE` as the first message to the chat address above:"
        )
    for row in invites:
        who = f"{row['key']} {row['name']} ({row['role']})"
        if row["code"]:
            lines.append(
                f"  {who:40} {row['code']}  {invite_links(settings, row['code'])['web_link']}"
            )
        else:
            lines.append(f"  {who:40} already joined; their chat keeps working")
    if chair_link:
        lines.append(f"The chair's review pages (the link works once, for 2 days):\n  {chair_link}")
    lines.append("Press Ctrl-C to stop.")
    # The rest of this process's life is supervising: done by a process without the
    # libraries the preparation needed (bot/launcher/supervise.py).
    hand_over("\n".join(lines))
