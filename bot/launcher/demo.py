"""The demo conference `make run` loads, with fresh invite codes printed on each start.

Codes are stored only as hashes, so they cannot be shown again later: each start
reissues the codes of demo participants who have not joined yet.
"""

from __future__ import annotations

from bot.conference_file import load_conference_file
from bot.links import sign_in_link
from bot.model.conferences import create_conference, demo_conference
from bot.model.database import Database
from bot.model.invites import reissue_unbound_invites
from bot.review import signin
from bot.settings import PROJECT_ROOT, Settings

DEMO_FILE = PROJECT_ROOT / "examples" / "demo-conference.yml"


def prepare_demo(settings: Settings) -> tuple[list[dict], str]:
    """One row per demo participant (key, name, role and a new code, None if joined), and
    a new sign-in address for the demo's chair."""
    database = Database(settings)
    try:
        with database.session() as session, session.begin():
            conference = demo_conference(session)
            if conference is None:
                conference, codes = create_conference(
                    session, load_conference_file(DEMO_FILE), actor="launcher", demo=True
                )
            else:
                codes = reissue_unbound_invites(session, conference.participants, actor="launcher")
            token = signin.issue_link(session, conference.id, actor="launcher")
            rows = [
                {"key": p.key, "name": p.name, "role": p.role, "code": codes.get(p.key)}
                for p in conference.participants
            ]
            return rows, sign_in_link(settings.public_url, token)
    finally:
        database.dispose()
