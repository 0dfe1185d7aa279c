"""How a chair signs in: a single-use, expiring link, then a session cookie.

Only hashes of the link's and the session's tokens are stored, as for invite codes. A
session belongs to one chair of one conference, so it opens that conference alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.codes import hash_code
from bot.model.audit import record
from bot.model.tables import ChairLink, ChairSession, Participant, utcnow
from bot.model.tokens import by_token, new_token

LINK_LIFETIME = timedelta(hours=48)  # sent the day before, opened the evening before
SESSION_LIFETIME = timedelta(hours=12)  # an evening's reading, or a day in the room


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


def issue_link(session: Session, conference_id: str, actor: str) -> str:
    """A new sign-in token for the conference's chair (the caller builds the address)."""
    chair = chair_of(session, conference_id)
    token = new_token()
    link = ChairLink(
        participant=chair, token_hash=hash_code(token), expires_at=utcnow() + LINK_LIFETIME
    )
    session.add(link)
    session.flush()
    record(session, actor, "chair_link_issued", "chair_link", link.id)
    return token


@dataclass
class SignedIn:
    chair: Participant
    token: str  # the session's, for the cookie; never stored


def redeem_link(session: Session, token: str) -> SignedIn | None:
    """Use a link once: a new session for its chair, or None (unknown, used or expired)."""
    link = by_token(session, ChairLink, token)
    now = utcnow()
    if link is None or link.used_at is not None or link.expires_at <= now:
        reason = "unknown" if link is None else "used" if link.used_at else "expired"
        record(
            session, "web", "chair_sign_in_refused", "chair_link", link and link.id, reason=reason
        )
        return None
    link.used_at = now
    session_token = new_token()
    session.add(
        ChairSession(
            participant=link.participant,
            token_hash=hash_code(session_token),
            expires_at=now + SESSION_LIFETIME,
        )
    )
    record(session, link.participant.actor, "chair_signed_in", "chair_link", link.id)
    return SignedIn(link.participant, session_token)


def signed_in_chair(session: Session, token: str | None) -> Participant | None:
    """The chair whose live session this token is, if any."""
    found = by_token(session, ChairSession, token)
    if found is None or found.ended_at is not None or found.expires_at <= utcnow():
        return None
    return found.participant if found.participant.role == "chair" else None


def sign_out(session: Session, token: str) -> None:
    found = by_token(session, ChairSession, token)
    if found is not None and found.ended_at is None:
        found.ended_at = utcnow()
        record(session, found.participant.actor, "chair_signed_out", "chair_session", found.id)
