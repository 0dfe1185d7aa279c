"""The council's staff who sign in to the pages: coordinators, who set up and invite every
conference, and chairs, who review the conferences assigned to them.

A member of staff signs in like a conference's chair (bot/review/signin.py): a single-use
link, then a session. Their email is stored encrypted, and found again by its hash. A staff
chair is assigned to a conference when their email is its chair participant's, whichever of
the two was entered first.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import vocabulary
from bot.conference_file import EMAIL  # the conference file's check of an address
from bot.model.audit import record
from bot.model.tables import Conference, Participant, Staff, StaffLink, StaffSession
from bot.review import signin
from bot.review.record import uk_today
from bot.review.signin import Door, SignedIn

LONGEST_NAME = 200

STAFF_DOOR = Door(StaffLink, StaffSession, "staff", "staff", lambda s: s.removed_at is None)


class StaffRefused(ValueError):
    """A member of staff who cannot be added as asked; the message says why, for people."""


def email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def staff_by_email(session: Session, email: str | None) -> Staff | None:
    if not email:
        return None
    return session.execute(
        select(Staff).where(Staff.email_hash == email_hash(email))
    ).scalar_one_or_none()


def add_staff(session: Session, name: str, email: str, role: str, actor: str) -> Staff:
    """Add a member of staff; a staff chair is then assigned to the conferences whose chair
    participant has their email. StaffRefused names what is wrong."""
    name, email = (name or "").strip(), (email or "").strip()
    if not name:
        raise StaffRefused("Give the person's name.")
    if len(name) > LONGEST_NAME:
        raise StaffRefused(f"A name can be at most {LONGEST_NAME} characters.")
    if not EMAIL.match(email):
        raise StaffRefused(f"{email!r} is not an email address, like name@council.gov.uk.")
    if role not in vocabulary.STAFF_ROLES:
        raise StaffRefused(
            f"The role must be one of {', '.join(vocabulary.STAFF_ROLES)}, not {role!r}."
        )
    if staff_by_email(session, email) is not None:
        raise StaffRefused(f"There is already a member of staff with the email {email}.")
    staff = Staff(name=name, email=email, email_hash=email_hash(email), role=role)
    session.add(staff)
    session.flush()
    record(session, actor, "staff_added", "staff", staff.id, role=role)
    if role == "chair":
        chaired = select(Participant).where(Participant.role == "chair")
        for participant in session.execute(chaired).scalars():
            if participant.email and email_hash(participant.email) == staff.email_hash:
                assign_chair_by_email(session, participant.conference, actor)
    return staff


def assign_chair_by_email(
    session: Session, conference: Conference, actor: str = "service"
) -> Staff | None:
    """Assign the staff chair whose email is the conference's chair participant's, unless a
    chair is assigned already (a coordinator's choice stands). The conference's staff chair
    now, or None."""
    if conference.chair_staff_id is not None:
        return conference.chair_staff
    for participant in conference.participants:
        if participant.role != "chair":
            continue
        staff = staff_by_email(session, participant.email)
        if staff is not None and staff.role == "chair" and staff.removed_at is None:
            conference.chair_staff = staff
            session.flush()
            record(
                session,
                actor,
                "chair_assigned",
                "conference",
                conference.id,
                staff=staff.id,
                by="email",
            )
            return staff
    return None


def conferences_for(session: Session, staff: Staff) -> list[Conference]:
    """Every conference for a coordinator; a chair's own for a chair."""
    query = select(Conference)
    if staff.role != "coordinator":
        query = query.where(Conference.chair_staff_id == staff.id)
    return list(session.execute(query).scalars())


def next_conference(session: Session, staff: Staff) -> Conference | None:
    """The soonest of their conferences still to come (named in their sign-in email)."""
    coming = [c for c in conferences_for(session, staff) if still_to_come(c)]
    return min(coming, key=lambda c: c.date, default=None)


def still_to_come(conference: Conference) -> bool:
    """Today's or later (its date is the UK's local time, as the conference file gives it)."""
    return conference.date.date() >= uk_today()


def may_see(staff: Staff, conference: Conference) -> bool:
    return staff.role == "coordinator" or conference.chair_staff_id == staff.id


def chair_participant(session: Session, conference: Conference, staff: Staff) -> Participant:
    """Who a staff chair's edits, decision and approval are recorded as in the conference
    (those rows name a participant): its chair participant, added from the staff entry when
    the conference has none yet. The audit log names the member of staff."""
    try:
        return signin.chair_of(session, conference.id)
    except signin.NoChair:
        pass
    keys = {participant.key for participant in conference.participants}
    key = next(k for k in ("chair", *(f"chair{n}" for n in range(2, 99))) if k not in keys)
    chair = Participant(
        conference=conference,
        key=key,
        name=staff.name,
        role="chair",
        email=staff.email,
        children=[],
        scores=False,
        position=max((p.position for p in conference.participants), default=-1) + 1,
    )
    session.add(chair)
    session.flush()
    record(session, staff.actor, "chair_participant_added", "conference", conference.id, key=key)
    return chair


def issue_link(session: Session, staff: Staff, actor: str) -> str:
    """A new sign-in token for this member of staff (the caller builds the address)."""
    if staff.removed_at is not None:
        raise StaffRefused("This member of staff has been removed and cannot sign in.")
    return signin.issue_door_link(session, STAFF_DOOR, staff, actor)


def redeem_link(session: Session, token: str) -> SignedIn | None:
    """Use a link once: a new session for its member of staff (`.who`), or None."""
    return signin.redeem_door_link(session, STAFF_DOOR, token)


def signed_in_staff(session: Session, token: str | None) -> Staff | None:
    return signin.signed_in_at(session, STAFF_DOOR, token)


def sign_out(session: Session, token: str | None) -> None:
    signin.sign_out_at(session, STAFF_DOOR, token)
