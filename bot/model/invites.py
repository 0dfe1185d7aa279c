"""Invite codes: 128 random bits, found by their hash, bound to one chat sender once. The
code itself is kept encrypted too, so the coordinator can send it and print its letter."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.codes import hash_code, new_code
from bot.model.audit import record
from bot.model.tables import Invite, Outreach, Participant, Progress, utcnow


def invite_expiry(conference_date: datetime) -> datetime:
    """An invite works until the end of the conference day."""
    return conference_date.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def issue_invite(session: Session, participant: Participant, actor: str) -> str:
    """Create an invite for the participant and return its code."""
    code = new_code()
    invite = Invite(
        participant=participant,
        code_hash=hash_code(code),
        code=code,
        expires_at=invite_expiry(participant.conference.date),
    )
    session.add(invite)
    session.flush()
    record(session, actor, "invite_issued", "invite", invite.id, participant=participant.key)
    return code


def reissue_unbound_invites(session: Session, participants, actor: str) -> dict[str, str]:
    """Revoke unused invites and issue new codes; participants already chatting keep theirs."""
    codes = {}
    for participant in participants:
        if any(invite.bound_sender for invite in participant.invites if not invite.revoked_at):
            continue
        codes[participant.key] = reissue_invite(session, participant, actor)
    return codes


def reissue_invite(session: Session, participant: Participant, actor: str) -> str:
    """Staff give one participant a new code: the old invite stops working, and whichever
    chat redeems the new one carries on the conversation (how a child's moves chats)."""
    revoke_invites(session, participant, actor)
    return issue_invite(session, participant, actor)


def revoke_invites(session: Session, participant: Participant, actor: str) -> int:
    """The participant's codes stop working, and any invite not yet sent with one is
    withdrawn. Returns how many invites were revoked."""
    revoked = 0
    for invite in participant.invites:
        if invite.revoked_at is None:
            invite.revoked_at = utcnow()
            record(session, actor, "invite_revoked", "invite", invite.id)
            revoked += 1
    session.execute(
        update(Outreach)
        .where(
            Outreach.participant_id == participant.id,
            Outreach.kind == "invite",
            Outreach.status == "pending",
        )
        .values(status="revoked")
        .execution_options(synchronize_session="fetch")
    )
    return revoked


def live_invite(participant: Participant) -> Invite | None:
    """The participant's invite that still works (the newest, if ever more than one)."""
    live = [invite for invite in participant.invites if invite.revoked_at is None]
    return live[-1] if live else None


class Redemption(enum.Enum):
    JOINED = "joined"  # first use: now bound to this sender
    RETURNING = "returning"  # the same sender again
    UNKNOWN = "unknown"
    USED = "used"  # bound to another sender
    MOVED = "moved"  # an adult's paused conversation carried on from another chat
    EXPIRED = "expired"
    OTHER_PERSON = "other_person"  # this chat already belongs to someone else's invite


REFUSED = {Redemption.UNKNOWN, Redemption.USED, Redemption.EXPIRED, Redemption.OTHER_PERSON}


@dataclass
class RedeemResult:
    outcome: Redemption
    participant: Participant | None = None  # whose conversation this chat carries on
    invite: Invite | None = None  # the invite asked for, when it exists


def redeem(session: Session, code_hash: str, sender: str) -> RedeemResult:
    """Bind a sender to the invite behind a code's hash, once; the caller commits. Every
    refusal is audited."""
    result = _redeem(session, code_hash, sender)
    if result.outcome in REFUSED:
        invite = result.invite
        record(
            session,
            "chat",
            "invite_refused",
            "invite",
            invite.id if invite else None,
            reason=result.outcome.value,
            chat=hash_code(sender)[:16],  # which chat, not its id
        )
    return result


def _redeem(session: Session, code_hash: str, sender: str) -> RedeemResult:
    invite = session.execute(
        select(Invite).where(Invite.code_hash == code_hash)
    ).scalar_one_or_none()
    if invite is None or invite.revoked_at is not None:
        return RedeemResult(Redemption.UNKNOWN)
    if invite.bound_sender == sender:
        return RedeemResult(Redemption.RETURNING, invite.participant)
    already = participant_for_sender(session, sender)
    if already is not None:  # one chat, one person: this chat goes on as it was
        return RedeemResult(Redemption.OTHER_PERSON, already, invite)
    progress = session.get(Progress, invite.participant_id)
    # An adult who paused may carry on from another chat: the invite moves there. A
    # child's conversation moves only after staff reissue their invite.
    movable = (
        progress is not None
        and progress.state in ("paused", "stopped")
        and invite.participant.role != "young_person"
    )
    if invite.bound_sender is not None and not movable:
        return RedeemResult(Redemption.USED, invite=invite)
    if invite.expires_at <= utcnow():
        return RedeemResult(Redemption.EXPIRED, invite=invite)
    previous = invite.bound_sender
    # A conditional update, so two senders racing for one code cannot both win.
    bound = session.execute(
        update(Invite)
        .where(Invite.id == invite.id, _sender_is(previous))
        .values(bound_sender=sender, bound_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if bound.rowcount != 1:
        return RedeemResult(Redemption.USED, invite=invite)
    actor = invite.participant.actor
    if previous is None:
        record(session, actor, "invite_bound", "invite", invite.id)
        return RedeemResult(Redemption.JOINED, invite.participant)
    record(session, actor, "invite_moved", "invite", invite.id)
    return RedeemResult(Redemption.MOVED, invite.participant)


def _sender_is(sender: str | None):
    return Invite.bound_sender.is_(None) if sender is None else Invite.bound_sender == sender


def participant_for_sender(session: Session, sender: str) -> Participant | None:
    """The one participant a chat belongs to (redeem never binds a chat to two)."""
    return session.execute(
        select(Participant)
        .join(Invite)
        .where(Invite.bound_sender == sender, Invite.revoked_at.is_(None))
    ).scalar_one_or_none()
