"""Creating a conference from a checked conference file, with an invite for each
participant, and changing it until the day (the coordinator's pages).

A change never loses what anyone said: someone taken off after answering is marked, not
deleted; a danger statement that has scores keeps its words.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import exists, func, select, text
from sqlalchemy.orm import Session

from bot.conference_file import (
    ChildSpec,
    ConferenceSpec,
    DangerStatementSpec,
    ParticipantSpec,
    Problem,
)
from bot.model.audit import record
from bot.model.invites import invite_expiry, issue_invite, revoke_invites
from bot.model.tables import (
    Answer,
    AuditEvent,
    Child,
    Conference,
    DangerStatement,
    Outreach,
    Participant,
    PreviousScore,
    Progress,
    Score,
    utcnow,
)
from bot.notify.invites import contacts
from bot.review.staff import assign_chair_by_email
from bot.vocabulary import ANSWERING_ROLES


def create_conference(
    session: Session, spec: ConferenceSpec, actor: str, demo: bool = False, once: str = ""
) -> tuple[Conference, dict[str, str]]:
    """Add the conference and return it with the invite code of each participant (by key).
    `once`: the hash of the page's one-time token, kept in the audit event so that the
    same form sent again finds this conference (made_once) instead of making another."""
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
        participants[person.key] = Participant(conference=conference, key=person.key)
        _set_participant(participants[person.key], person, position)
        session.add(participants[person.key])
    for position, statement in enumerate(spec.danger_statements):
        danger_statement = DangerStatement(conference=conference, key=statement.key)
        _set_statement(danger_statement, statement, position)
        session.add(danger_statement)
        _set_previous_scores(session, danger_statement, statement, participants)
    session.flush()
    record(session, actor, "conference_created", "conference", conference.id,
           **({"once": once} if once else {}))  # fmt: skip
    assign_chair_by_email(session, conference, actor)  # the staff chair with that email
    codes = {
        key: issue_invite(session, participant, actor) for key, participant in participants.items()
    }
    return conference, codes


def made_once(session: Session, once: str) -> Conference | None:
    """The conference a form with this one-time token already made, if any. Call
    one_creation_at_a_time first, so that two sendings at once cannot both miss it."""
    made = session.execute(
        select(AuditEvent.record_id).where(
            AuditEvent.action == "conference_created",
            AuditEvent.detail["once"].as_string() == once,
        )
    ).scalar()
    return session.get(Conference, made) if made else None


def one_creation_at_a_time(session: Session) -> None:
    """Hold creation for the rest of this transaction, whichever process asks. PostgreSQL:
    a lock of its own; SQLite: its one write lock, taken now by a write that changes
    nothing (a transaction starts at its first write)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(2525)"))  # 2525: this lock's own
    else:
        session.execute(text("UPDATE conference SET id = id WHERE 1 = 0"))


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


def _set_child(child: Child, spec: ChildSpec, position: int) -> None:
    child.name, child.age, child.position = spec.name, spec.age, position


def _set_participant(participant: Participant, spec: ParticipantSpec, position: int) -> None:
    participant.name, participant.role, participant.agency = spec.name, spec.role, spec.agency
    participant.email, participant.phone, participant.channel = spec.email, spec.phone, spec.channel
    participant.child_key = spec.child
    participant.children = spec.children or ([spec.child] if spec.child else [])
    participant.scores = spec.scores
    participant.position = position


# What a participant scored or a child read: once scored, a danger statement keeps these.
STATEMENT_WORDS = ("danger", "safety_goal", "young_danger", "young_safety_goal", "children")


def _set_statement(statement: DangerStatement, spec: DangerStatementSpec, position: int) -> None:
    for name in STATEMENT_WORDS:
        setattr(statement, name, getattr(spec, name))
    statement.position = position


def _set_previous_scores(session, statement: DangerStatement, spec, participants: dict) -> None:
    """Last conference's scores as the spec gives them, changed in place."""
    kept = {previous.participant.key: previous for previous in statement.previous_scores}
    for participant_key, score in spec.previous_scores.items():
        if participant_key in kept:
            kept.pop(participant_key).score = score
        else:
            session.add(
                PreviousScore(
                    danger_statement=statement,
                    participant=participants[participant_key],
                    score=score,
                )
            )
    for previous in kept.values():
        session.delete(previous)


class ConferenceChangeRefused(Exception):
    """A change that would lose or contradict what someone already said; each problem
    names the field (as the conference file does) and says why in plain words."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass
class ConferenceChange:
    """What a change did, for the page to say: new participants with their invite codes,
    and who was taken off (those who had answered keep their answers, marked)."""

    invited: dict[str, str] = field(default_factory=dict)
    removed: list[Participant] = field(default_factory=list)
    removed_after_answering: list[Participant] = field(default_factory=list)


def has_answered(session: Session, participant: Participant) -> bool:
    """Whether they have said anything: a started chat, an answer or a score."""
    if participant.response_status != "not_started":
        return True
    said = select(Answer.id).where(Answer.participant_id == participant.id)
    scored = select(Score.id).where(Score.participant_id == participant.id)
    return bool(session.execute(select(exists(said) | exists(scored))).scalar())


def scores_given(session: Session, statement: DangerStatement) -> int:
    """How many people have scored this danger statement."""
    return session.execute(
        select(func.count(func.distinct(Score.participant_id))).where(
            Score.danger_statement_id == statement.id
        )
    ).scalar_one()


def update_conference(
    session: Session,
    conference: Conference,
    spec: ConferenceSpec,
    actor: str,
    take_off: Collection[str] | None = None,
) -> ConferenceChange:
    """Make the conference as the checked spec says, matching children, danger statements
    and participants by key. Refuses (ConferenceChangeRefused, nothing changed) what would
    lose or contradict what was said, or take off everyone asked for their views; the
    caller's transaction holds it all.

    Who is taken off: with `take_off` (the form), only the participants it names; anyone
    else missing from the spec stays as they are. Without it (a whole conference file),
    everyone the file no longer lists."""
    leaving = _leaving(conference, spec, take_off)
    _refuse_losing_anything(session, conference, spec, leaving)
    change = ConferenceChange()
    date_changed = conference.date != spec.date
    conference.type, conference.date = spec.type, spec.date
    conference.local_authority, conference.out_of_hours = spec.local_authority, spec.out_of_hours

    children = {child.key: child for child in conference.children}
    for position, child in enumerate(spec.children):
        if child.key not in children:
            children[child.key] = Child(conference=conference, key=child.key)
            session.add(children[child.key])
        _set_child(children[child.key], child, position)
    for key in set(children) - {child.key for child in spec.children}:
        session.delete(children[key])  # named in no answer: checked above

    participants = {person.key: person for person in conference.participants}
    new = []
    for position, person in enumerate(spec.participants):
        if person.key not in participants:
            participants[person.key] = Participant(conference=conference, key=person.key)
            session.add(participants[person.key])
            new.append(participants[person.key])
        _set_participant(participants[person.key], person, position)
        if participants[person.key] not in new:
            _withdraw_unsent_to_old_contacts(session, participants[person.key], actor)
    for participant in leaving:
        _take_off(session, participant, actor, change)

    statements = {statement.key: statement for statement in conference.danger_statements}
    for position, statement in enumerate(spec.danger_statements):
        if statement.key not in statements:
            statements[statement.key] = DangerStatement(conference=conference, key=statement.key)
            session.add(statements[statement.key])
        danger_statement = statements[statement.key]
        _set_statement(danger_statement, statement, position)
        _set_previous_scores(session, danger_statement, statement, participants)
    for key in set(statements) - {statement.key for statement in spec.danger_statements}:
        for previous in statements[key].previous_scores:
            session.delete(previous)
        session.delete(statements[key])  # scored by nobody: checked above
    session.flush()

    if date_changed:  # an invite works until the end of the conference day
        for participant in conference.participants:
            for invite in participant.invites:
                if invite.revoked_at is None:
                    invite.expires_at = invite_expiry(conference.date)
    change.invited = {person.key: issue_invite(session, person, actor) for person in new}
    record(
        session,
        actor,
        "conference_changed",
        "conference",
        conference.id,
        added=[person.key for person in new],
        removed=[person.key for person in change.removed],
    )
    return change


def _withdraw_unsent_to_old_contacts(session, participant: Participant, actor: str) -> None:
    """An invite or reminder still waiting to go to an address or number the person no
    longer has (a typing slip put right, say) is withdrawn, not sent to whoever has it."""
    current = set(contacts(participant))
    waiting = session.execute(
        select(Outreach).where(
            Outreach.participant_id == participant.id,
            Outreach.status == "pending",
            Outreach.channel.in_(("email", "sms")),
        )
    ).scalars()
    for outreach in waiting:
        if (outreach.channel, outreach.recipient) not in current:
            outreach.status = "revoked"
            outreach.last_error = "their email address or mobile number was changed"
            record(session, actor, "outreach_withdrawn", "outreach", outreach.id,
                   why="contact changed")  # fmt: skip


def _take_off(session, participant: Participant, actor: str, change: ConferenceChange) -> None:
    """Marked, never deleted: their invites stop working and what they said stays."""
    participant.removed_at = utcnow()
    revoke_invites(session, participant, actor)
    change.removed.append(participant)
    answered = has_answered(session, participant)
    if answered:
        change.removed_after_answering.append(participant)
    record(
        session,
        actor,
        "participant_removed",
        "participant",
        participant.id,
        participant=participant.key,
        had_answered=answered,
    )


def _leaving(conference: Conference, spec: ConferenceSpec, take_off) -> list[Participant]:
    kept = {person.key for person in spec.participants}
    return [
        participant
        for participant in conference.participants
        if participant.removed_at is None
        and participant.key not in kept
        and (take_off is None or participant.key in take_off)
    ]


def _refuse_losing_anything(session, conference: Conference, spec: ConferenceSpec, leaving):
    problems = []
    asked = [p for p in conference.participants if p.role in ANSWERING_ROLES and not p.removed_at]
    if (
        asked
        and all(p in leaving for p in asked)
        and not any(person.role in ANSWERING_ROLES for person in spec.participants)
    ):
        problems.append(
            Problem(
                None,
                "participants",
                "This would take off everyone asked for their views. Keep at least one "
                "person on the conference, or add someone new first",
            )
        )
    anyone_answered = any(has_answered(session, p) for p in conference.participants)
    if spec.type != conference.type and anyone_answered:
        problems.append(
            Problem(
                None,
                "conference.type",
                f"cannot change now: people have already answered the questions for "
                f"{'an' if conference.type == 'initial' else 'a'} {conference.type} conference",
            )
        )
    wanted = {statement.key: statement for statement in spec.danger_statements}
    being_scored = _statements_being_scored(session, conference)
    for statement in conference.danger_statements:
        given = wanted.get(statement.key)
        if given is not None and all(
            getattr(given, name) == getattr(statement, name) for name in STATEMENT_WORDS
        ):
            continue
        scored = scores_given(session, statement)
        if scored:
            people = "1 person has" if scored == 1 else f"{scored} people have"
            why = f"{people} already scored it as it is"
        elif statement.key in being_scored:
            why = "someone is at its question in their chat now"
        else:
            continue
        problems.append(
            Problem(
                None,
                f"danger_statements[{statement.key}]",
                f"cannot be changed or taken off: {why}. Add a new danger statement instead",
            )
        )
    named = _children_named_in_answers(session, conference)
    kept_children = {child.key for child in spec.children}
    for child in conference.children:
        if child.key not in kept_children and child.key in named:
            problems.append(
                Problem(
                    None,
                    f"children[{child.key}]",
                    "cannot be taken off: answers already given are about this child",
                )
            )
    kept_roles = {person.key: person.role for person in spec.participants}
    for participant in conference.participants:
        role = kept_roles.get(participant.key)
        if role not in (None, participant.role) and has_answered(session, participant):
            problems.append(
                Problem(
                    None,
                    f"participants[{participant.key}].role",
                    "cannot change now: they have already answered as a "
                    + participant.role.replace("_", " "),
                )
            )
    if problems:
        raise ConferenceChangeRefused(problems)


def _statements_being_scored(session: Session, conference: Conference) -> set[str]:
    """The danger statements someone's chat is asking about now (its step "scale@D1")."""
    steps = session.execute(
        select(Progress.step).join(Participant).where(Participant.conference_id == conference.id)
    ).scalars()
    return {step.split("@", 1)[1] for step in steps if step and "@" in step}


def _children_named_in_answers(session: Session, conference: Conference) -> set[str]:
    """The child keys that answers, or people who answered, speak about."""
    named = set()
    for participant in conference.participants:
        if not has_answered(session, participant):
            continue
        named.update(participant.children or [])
        if participant.child_key:
            named.add(participant.child_key)
    answers = (
        select(Answer.children).join(Participant).where(Participant.conference_id == conference.id)
    )
    for (children,) in session.execute(answers):
        named.update(children or [])
    return named
