"""`companion serve`: check what the stack needs, create or migrate the database, prepare
the demo, then become the supervisor (bot/launcher/supervise.py) that runs the stack."""

from __future__ import annotations

import os
import sys

from sqlalchemy.engine import make_url

from bot.launcher.demo import prepare_demo
from bot.launcher.preflight import NotReachable, preflight
from bot.launcher.supervise import hand_over
from bot.links import invite_links
from bot.model.database import setup
from bot.settings import REPLICAS, Settings


def replicas_refused(settings: Settings) -> str | None:
    """Why this many replicas cannot run with these settings, or None when they can.

    Several Rasa servers share every conversation's tracker and lock: SQLite files and
    in-memory locks are each one process's own."""
    n = settings.replicas
    if n < 1:
        return "--replicas must be 1 or more."
    if n > 1:
        problems = [
            f"{name} is {backend}"
            for name, url in (
                ("DATABASE_URL", settings.database_url),
                ("TRACKER_STORE_URL", settings.tracker_store_url),
            )
            if (backend := make_url(url).get_backend_name()) != "postgresql"
        ] + ([] if settings.redis_url else ["REDIS_URL is not set"])
        if problems:
            return (
                f"{n} replicas share every conversation, so both databases must be on "
                f"PostgreSQL and the locks on Redis; here {', '.join(problems)}. Set them (see "
                'the README, "Deploying with PostgreSQL and Redis"), or run one replica.'
            )
    ports = [
        *(settings.rasa_port + i for i in range(n)),
        *(settings.action_port + i for i in range(n)),
        settings.web_port,
    ]
    if len(set(ports)) < len(ports):
        return (
            f"the ports overlap: {n} Rasa servers from COMPANION_RASA_PORT "
            f"({settings.rasa_port}), {n} action servers from COMPANION_ACTION_PORT "
            f"({settings.action_port}) and the web app on COMPANION_WEB_PORT "
            f"({settings.web_port}) need {len(ports)} different ports."
        )
    return None


def serve(settings: Settings, demo: bool = False) -> int:
    refused = replicas_refused(settings)
    if refused:
        print(f"Not starting: {refused}", file=sys.stderr)
        return 1
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
    invites, chair_link, coordinator_link = prepare_demo(settings) if demo else ([], None, None)

    lines = [
        "Conference Companion is running.",
        *(f"  Chat (Rasa REST):  {url}/webhooks/rest/webhook" for url in settings.rasa_urls),
        f"  Web app:           {settings.web_url}/",
        *(f"  Action server:     {url}/health" for url in settings.action_urls),
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
    if coordinator_link:
        lines.append(
            "The coordinator's desk: set up conferences, send invites (the link works once, "
            f"for 2 days):\n  {coordinator_link}"
        )
    lines.append("Press Ctrl-C to stop.")
    os.environ[REPLICAS] = str(settings.replicas)  # the supervisor's and the web app's too
    # The rest of this process's life is supervising: done by a process without the
    # libraries the preparation needed (bot/launcher/supervise.py).
    hand_over("\n".join(lines))
