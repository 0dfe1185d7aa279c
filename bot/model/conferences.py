"""Creating a conference from a checked conference file, with an invite for each participant."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conference_file import ConferenceSpec
from bot.model.audit import record
from bot.model.invites import issue_invite
from bot.model.tables import (
    Child,
    Conference,
    DangerStatement,
    Participant,
    PreviousScore,
)


def create_conference(
    session: Session, spec: ConferenceSpec, actor: str, demo: bool = False
) -> tuple[Conference, dict[str, str]]:
    """Add the conference and return it with the invite code of each participant (by key)."""
    conference = Conference(
        type=spec.type,
        date=spec.date,
        local_authority=spec.local_authority,
        out_of_hours=spec.out_of_hours,
        demo=demo,
    )
    session.add(conference)
    for position, child in enumerate(spec.children):
        session.add(
            Child(
                conference=conference,
                key=child.key,
                name=child.name,
                age=child.age,
                position=position,
            )
        )
    participants = {}
    for position, person in enumerate(spec.participants):
        participants[person.key] = Participant(
            conference=conference,
            key=person.key,
            name=person.name,
            role=person.role,
            agency=person.agency,
            email=person.email,
            phone=person.phone,
            child_key=person.child,
            children=person.children or ([person.child] if person.child else []),
            scores=person.scores,
            position=position,
        )
        session.add(participants[person.key])
    for position, statement in enumerate(spec.danger_statements):
        danger_statement = DangerStatement(
            conference=conference,
            key=statement.key,
            danger=statement.danger,
            safety_goal=statement.safety_goal,
            young_danger=statement.young_danger,
            young_safety_goal=statement.young_safety_goal,
            children=statement.children,
            position=position,
        )
        session.add(danger_statement)
        for participant_key, score in statement.previous_scores.items():
            session.add(
                PreviousScore(
                    danger_statement=danger_statement,
                    participant=participants[participant_key],
                    score=score,
                )
            )
    session.flush()
    record(session, actor, "conference_created", "conference", conference.id)
    codes = {
        key: issue_invite(session, participant, actor) for key, participant in participants.items()
    }
    return conference, codes


def demo_conference(session: Session) -> Conference | None:
    return (
        session.execute(
            select(Conference)
            .where(Conference.demo.is_(True))
            .order_by(Conference.created_at.desc())
        )
        .scalars()
        .first()
    )
