"""A coordinator who puts right a participant's email address or mobile number after
pressing Send: what still waits to go to the old one is withdrawn, and the next Send goes
to the new one only."""

from __future__ import annotations

from sqlalchemy import select

from bot.conference_file import parse_conference
from bot.model.conferences import update_conference
from bot.model.tables import AuditEvent, Conference, Outreach, Participant
from bot.notify.invites import queue_invites
from tests.conftest import conference_with
from tests.test_invites_outreach import FAMILY

KELLY_OLD = "kelly@example.com"
KELLY_NEW = "kelly.smith@example.com"


def waiting(database, participant_id) -> list[tuple]:
    with database.session() as session:
        rows = session.execute(
            select(Outreach).where(Outreach.participant_id == participant_id)
        ).scalars()
        return sorted((row.channel, row.recipient, row.status) for row in rows)


def send(database, conference_id) -> None:
    """Press Send (no Notify here: what is queued stays pending)."""
    with database.session() as session, session.begin():
        queue_invites(session, session.get(Conference, conference_id), "staff:1")


def test_an_invite_waiting_for_an_old_address_is_withdrawn_not_sent(database):
    conference_id, ids = conference_with(database, FAMILY)
    send(database, conference_id)
    assert ("email", KELLY_OLD, "pending") in waiting(database, ids["P1"])

    with database.session() as session, session.begin():
        conference = session.get(Conference, conference_id)
        spec = parse_conference(FAMILY.replace(KELLY_OLD, KELLY_NEW), "family.yml")
        update_conference(session, conference, spec, "staff:1")
    send(database, conference_id)

    assert waiting(database, ids["P1"]) == [
        ("email", KELLY_NEW, "pending"),
        ("email", KELLY_OLD, "revoked"),
        ("sms", "07700900111", "pending"),  # the mobile number did not change
    ]
    assert ("email", "jo.brown@example.gov.uk", "pending") in waiting(database, ids["P3"])
    with database.session() as session:
        withdrawn = session.execute(
            select(AuditEvent).where(AuditEvent.action == "outreach_withdrawn")
        ).scalars().all()  # fmt: skip
        assert [(event.actor, event.detail) for event in withdrawn] == [
            ("staff:1", {"why": "contact changed"})
        ]
        assert session.get(Participant, ids["P1"]).email == KELLY_NEW
