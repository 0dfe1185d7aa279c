"""Invite codes: 128 random bits, stored only as a hash, bound to one chat sender once."""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.model.audit import record
from bot.model.tables import Invite, Participant, Progress, utcnow

CODE_BYTES = 16  # 128 bits; token_urlsafe keeps it safe for Telegram's ?start= links


def new_code() -> str:
    """A random code that never starts with "-", which a command line reads as an option
    (`companion chat -dks...` failed one time in 64)."""
    while (code := secrets.token_urlsafe(CODE_BYTES)).startswith("-"):
        pass
    return code


def hash_code(code: str) -> str:
    # The code carries 128 random bits, so a plain digest cannot be reversed or guessed.
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def invite_expiry(conference_date: datetime) -> datetime:
    """An invite works until the end of the conference day."""
    return conference_date.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def issue_invite(session: Session, participant: Participant, actor: str) -> str:
    """Create an invite for the participant and return its code (never stored)."""
    code = new_code()
    invite = Invite(
        participant=participant,
        code_hash=hash_code(code),
        expires_at=invite_expiry(participant.conference.date),
    )
    session.add(invite)
    session.flush()
    record(session, actor, "invite_issued", "invite", invite.id, participant=participant.key)
    return code


def reissue_unbound_invites(session: Session, participants, actor: str) -> dict[str, str]:
    """Revoke unused invites and issue new codes; participants already chatting keep theirs."""
    codes = {}
    now = utcnow()
    for participant in participants:
        if any(invite.bound_sender for invite in participant.invites if not invite.revoked_at):
            continue
        for invite in participant.invites:
            if invite.revoked_at is None:
                invite.revoked_at = now
                record(session, actor, "invite_revoked", "invite", invite.id)
        codes[participant.key] = issue_invite(session, participant, actor)
    return codes


class Redemption(enum.Enum):
    JOINED = "joined"  # first use: now bound to this sender
    RETURNING = "returning"  # the same sender again
    UNKNOWN = "unknown"
    USED = "used"  # bound to another sender
    MOVED = "moved"  # a paused conversation carried on from another chat
    EXPIRED = "expired"


@dataclass
class RedeemResult:
    outcome: Redemption
    participant: Participant | None = None


def redeem(session: Session, code: str, sender: str) -> RedeemResult:
    """Bind a sender to the invite behind a code, once; the caller commits."""
    invite = session.execute(
        select(Invite).where(Invite.code_hash == hash_code(code))
    ).scalar_one_or_none()
    if invite is None or invite.revoked_at is not None:
        return RedeemResult(Redemption.UNKNOWN)
    if invite.bound_sender == sender:
        return RedeemResult(Redemption.RETURNING, invite.participant)
    progress = session.get(Progress, invite.participant_id)
    # Someone who paused may carry on from another chat: the invite moves there.
    movable = progress is not None and progress.state in ("paused", "stopped")
    if invite.bound_sender is not None and not movable:
        return RedeemResult(Redemption.USED)
    if invite.expires_at <= utcnow():
        return RedeemResult(Redemption.EXPIRED)
    previous = invite.bound_sender
    # A conditional update, so two senders racing for one code cannot both win.
    bound = session.execute(
        update(Invite)
        .where(Invite.id == invite.id, _sender_is(previous))
        .values(bound_sender=sender, bound_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if bound.rowcount != 1:
        return RedeemResult(Redemption.USED)
    actor = invite.participant.actor
    if previous is None:
        record(session, actor, "invite_bound", "invite", invite.id)
        return RedeemResult(Redemption.JOINED, invite.participant)
    record(session, actor, "invite_moved", "invite", invite.id)
    return RedeemResult(Redemption.MOVED, invite.participant)


def _sender_is(sender: str | None):
    return Invite.bound_sender.is_(None) if sender is None else Invite.bound_sender == sender


def participant_for_sender(session: Session, sender: str) -> Participant | None:
    return session.execute(
        select(Participant)
        .join(Invite)
        .where(Invite.bound_sender == sender, Invite.revoked_at.is_(None))
    ).scalar_one_or_none()
