"""How a chair and a member of staff sign in: a single-use, expiring link, then a session
cookie.

Only hashes of the link's and the session's tokens are stored, as for invite codes. A
chair's session belongs to one chair of one conference, so it opens that conference alone;
a member of staff's opens the conferences their role allows (bot/review/staff.py). Both
go through the same `Door`, with their own tables and names in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.codes import hash_code
from bot.model.audit import record
from bot.model.tables import ChairLink, ChairSession, Participant, utcnow
from bot.model.tokens import by_token, new_token

LINK_LIFETIME = timedelta(hours=48)  # sent the day before, opened the evening before
SESSION_LIFETIME = timedelta(hours=12)  # an evening's reading, or a day in the room


@dataclass(frozen=True)
class Door:
    """One way in: its link and session tables, whose `owner` relationship names who signs
    in, the word its audit events begin with, and who may still come in."""

    link: type
    session: type
    owner: str  # "participant" or "staff"
    name: str  # "chair": chair_link_issued, chair_signed_in...
    may_enter: Callable[[Any], bool]


CHAIR_DOOR = Door(ChairLink, ChairSession, "participant", "chair", lambda p: p.role == "chair")


class NoChair(LookupError):
    """The conference does not exist, or has no chair."""


def chair_of(session: Session, conference_id: str) -> Participant:
    chair = (
        session.execute(
            select(Participant)
            .where(Participant.conference_id == conference_id, Participant.role == "chair")
            .order_by(Participant.position)
        )
        .scalars()
        .first()
    )
    if chair is None:
        raise NoChair(conference_id)
    return chair


def issue_door_link(session: Session, door: Door, owner, actor: str) -> str:
    """A new sign-in token for `owner` (the caller builds the address)."""
    token = new_token()
    link = door.link(token_hash=hash_code(token), expires_at=utcnow() + LINK_LIFETIME)
    setattr(link, door.owner, owner)
    session.add(link)
    session.flush()
    record(session, actor, f"{door.name}_link_issued", f"{door.name}_link", link.id)
    return token


def issue_link(session: Session, conference_id: str, actor: str) -> str:
    """A new sign-in token for the conference's chair (the caller builds the address)."""
    return issue_door_link(session, CHAIR_DOOR, chair_of(session, conference_id), actor)


@dataclass
class SignedIn:
    who: Any  # the chair (a Participant) or the member of staff
    token: str  # the session's, for the cookie; never stored

    @property
    def chair(self) -> Participant:
        return self.who


def redeem_door_link(session: Session, door: Door, token: str) -> SignedIn | None:
    """Use a link once: a new session for its owner, or None (unknown, used, expired, or
    its owner may no longer come in)."""
    link = by_token(session, door.link, token)
    now = utcnow()
    owner = link and getattr(link, door.owner)
    if link is None or link.used_at is not None or link.expires_at <= now:
        reason = "unknown" if link is None else "used" if link.used_at else "expired"
    elif not door.may_enter(owner):
        reason = "removed"
    else:
        reason = None
    if reason:
        record(
            session,
            "web",
            f"{door.name}_sign_in_refused",
            f"{door.name}_link",
            link and link.id,
            reason=reason,
        )
        return None
    link.used_at = now
    session_token = new_token()
    signed = door.session(token_hash=hash_code(session_token), expires_at=now + SESSION_LIFETIME)
    setattr(signed, door.owner, owner)
    session.add(signed)
    record(session, owner.actor, f"{door.name}_signed_in", f"{door.name}_link", link.id)
    return SignedIn(owner, session_token)


def redeem_link(session: Session, token: str) -> SignedIn | None:
    """Use a chair's link once: a new session for its chair, or None."""
    return redeem_door_link(session, CHAIR_DOOR, token)


def signed_in_at(session: Session, door: Door, token: str | None):
    """Whose live session this token is, if any."""
    found = by_token(session, door.session, token)
    if found is None or found.ended_at is not None or found.expires_at <= utcnow():
        return None
    owner = getattr(found, door.owner)
    return owner if door.may_enter(owner) else None


def signed_in_chair(session: Session, token: str | None) -> Participant | None:
    """The chair whose live session this token is, if any."""
    return signed_in_at(session, CHAIR_DOOR, token)


def sign_out_at(session: Session, door: Door, token: str | None) -> None:
    found = by_token(session, door.session, token)
    if found is not None and found.ended_at is None:
        found.ended_at = utcnow()
        owner = getattr(found, door.owner)
        record(session, owner.actor, f"{door.name}_signed_out", f"{door.name}_session", found.id)


def sign_out(session: Session, token: str) -> None:
    sign_out_at(session, CHAIR_DOOR, token)
