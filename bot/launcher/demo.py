"""The demo conference `make run` loads, with fresh invite codes printed on each start,
and a demo coordinator to try the coordinator's desk with.

Codes are stored only as hashes, so they cannot be shown again later: each start
reissues the codes of demo participants who have not joined yet.
"""

from __future__ import annotations

from bot.conference_file import load_conference_file
from bot.links import sign_in_link, staff_sign_in_link
from bot.model.conferences import create_conference, demo_conference
from bot.model.database import Database
from bot.model.invites import reissue_unbound_invites
from bot.review import signin, staff
from bot.settings import PROJECT_ROOT, Settings

DEMO_FILE = PROJECT_ROOT / "examples" / "demo-conference.yml"
DEMO_COORDINATOR = ("Demo Coordinator", "demo.coordinator@example.org")


def demo_coordinator_link(session, settings: Settings) -> str:
    """A new sign-in address for the demo's coordinator, added on the first run."""
    name, email = DEMO_COORDINATOR
    coordinator = staff.staff_by_email(session, email) or staff.add_staff(
        session, name, email, "coordinator", actor="launcher"
    )
    token = staff.issue_link(session, coordinator, actor="launcher")
    return staff_sign_in_link(settings.public_url, token)


def prepare_demo(settings: Settings) -> tuple[list[dict], str, str]:
    """One row per demo participant (key, name, role and a new code, None if joined), and
    new sign-in addresses for the demo's chair and the demo coordinator."""
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
            coordinator_link = demo_coordinator_link(session, settings)
            return rows, sign_in_link(settings.public_url, token), coordinator_link
    finally:
        database.dispose()
