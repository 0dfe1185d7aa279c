"""The conference data model (SQLAlchemy 1.4 in 2.0 style). It knows nothing of Rasa or Telegram.

Free text (names, contact details, danger statements, answers, reasons, alerts) is
EncryptedText.
Answers and scores are never overwritten: a change supersedes the old row, which is kept.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declarative_base, declared_attr, deferred, relationship

from bot import vocabulary
from bot.model.crypto import EncryptedBytes, EncryptedText

Base = declarative_base()


def utcnow() -> datetime:
    """Timestamps are stored as naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _one_of(table: str, column: str, values) -> CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{table}_{column}_allowed")


class Conference(Base):
    __tablename__ = "conference"
    __table_args__ = (
        _one_of("conference", "type", vocabulary.CONFERENCE_TYPES),
        _one_of("conference", "status", vocabulary.CONFERENCE_STATUSES),
    )

    id = Column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    type = Column(String(16), nullable=False)
    # The local (UK) date and time of the meeting, as the conference file gives it.
    date = Column(DateTime, nullable=False)
    local_authority = Column(String(200), nullable=False)
    # The local emergency duty team's number, shown in crisis scripts when given; read only
    # there, so loaded only then.
    out_of_hours = deferred(Column(String(40), nullable=True))
    # Not the record's status: that is worked out from its approved versions, whether
    # anything has changed since (bot/review/record.py).
    status = Column(String(16), nullable=False, default="draft")
    # The demo conference that `make run` loads; its invites are reissued on each run.
    demo = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # The staff chair assigned to it: chosen on the coordinator's pages, or the staff chair
    # whose email is the conference file's chair participant's.
    chair_staff_id = Column(ForeignKey("staff.id"), nullable=True, index=True)

    chair_staff = relationship("Staff")
    children = relationship("Child", back_populates="conference", order_by="Child.position")
    danger_statements = relationship(
        "DangerStatement", back_populates="conference", order_by="DangerStatement.position"
    )
    participants = relationship(
        "Participant", back_populates="conference", order_by="Participant.position"
    )


class Child(Base):
    __tablename__ = "child"
    __table_args__ = (UniqueConstraint("conference_id", "key"),)

    id = Column(Integer, primary_key=True)
    conference_id = Column(ForeignKey("conference.id"), nullable=False, index=True)
    key = Column(String(32), nullable=False)
    name = Column(EncryptedText, nullable=False)
    age = Column(Integer, nullable=False)
    position = Column(Integer, nullable=False)

    conference = relationship("Conference", back_populates="children")


class DangerStatement(Base):
    __tablename__ = "danger_statement"
    __table_args__ = (UniqueConstraint("conference_id", "key"),)

    id = Column(Integer, primary_key=True)
    conference_id = Column(ForeignKey("conference.id"), nullable=False, index=True)
    key = Column(String(32), nullable=False)
    danger = Column(EncryptedText, nullable=False)
    safety_goal = Column(EncryptedText, nullable=False)
    # The social worker's words for a child (for_young_people), when given.
    young_danger = Column(EncryptedText, nullable=True)
    young_safety_goal = Column(EncryptedText, nullable=True)
    children = Column(JSON, nullable=False)  # child keys
    position = Column(Integer, nullable=False)

    conference = relationship("Conference", back_populates="danger_statements")
    previous_scores = relationship("PreviousScore", back_populates="danger_statement")


class Participant(Base):
    __tablename__ = "participant"
    __table_args__ = (
        UniqueConstraint("conference_id", "key"),
        _one_of("participant", "role", vocabulary.ROLES),
        _one_of("participant", "response_status", vocabulary.RESPONSE_STATUSES),
    )

    id = Column(Integer, primary_key=True)
    conference_id = Column(ForeignKey("conference.id"), nullable=False, index=True)
    key = Column(String(32), nullable=False)
    name = Column(EncryptedText, nullable=False)
    role = Column(String(32), nullable=False)
    agency = Column(String(200))
    child_key = Column(String(32))  # a young person's own child record
    children = Column(JSON, nullable=False, default=list)  # child keys they speak about
    scores = Column(Boolean, nullable=False)
    response_status = Column(String(16), nullable=False, default="not_started")
    first_answered_at = Column(DateTime)  # orders views within a role
    submitted_at = Column(DateTime)
    # Their answer to "may we share your answers with the conference?" (None: not asked yet)
    consent_to_share = Column(Boolean)
    # How the social worker and the chair are told of a safeguarding alert.
    email = Column(EncryptedText)
    phone = Column(EncryptedText)
    # How they prefer to be reached: web, telegram or letter (None: not said).
    channel = Column(String(16))
    # Taken off the conference by the coordinator: no more invites or reminders; what they
    # had already said stays, marked.
    removed_at = Column(DateTime)
    position = Column(Integer, nullable=False)

    conference = relationship("Conference", back_populates="participants")
    invites = relationship("Invite", back_populates="participant", order_by="Invite.id")

    @property
    def actor(self) -> str:
        """How the audit log names this participant."""
        return f"participant:{self.conference_id}:{self.key}"


class PreviousScore(Base):
    """A score given at the last conference, shown beside the new one at a review."""

    __tablename__ = "previous_score"
    __table_args__ = (
        UniqueConstraint("danger_statement_id", "participant_id"),
        CheckConstraint("score BETWEEN 0 AND 10", name="previous_score_range"),
    )

    id = Column(Integer, primary_key=True)
    danger_statement_id = Column(ForeignKey("danger_statement.id"), nullable=False)
    participant_id = Column(ForeignKey("participant.id"), nullable=False)
    score = Column(Integer, nullable=False)

    danger_statement = relationship("DangerStatement", back_populates="previous_scores")
    participant = relationship("Participant")


class Invite(Base):
    """An invite code; only its hash is stored. It binds to one chat sender, once."""

    __tablename__ = "invite"

    id = Column(Integer, primary_key=True)
    participant_id = Column(ForeignKey("participant.id"), nullable=False, index=True)
    code_hash = Column(String(64), nullable=False, unique=True)
    # The code itself, encrypted, so the coordinator can send it and print its letter; None
    # for invites made before it was kept (send one by reissuing).
    code = Column(EncryptedText)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    revoked_at = Column(DateTime)
    bound_sender = Column(String(200), index=True)
    bound_at = Column(DateTime)

    participant = relationship("Participant", back_populates="invites")

    # One chat, one person: the database refuses a chat a second live invite, even if two
    # redemptions race past the check in bot/model/invites.py.
    __table_args__ = (
        Index(
            "one_live_invite_per_chat",
            "bound_sender",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )


class Answer(Base):
    __tablename__ = "answer"
    __table_args__ = (_one_of("answer", "column_key", vocabulary.COLUMNS),)

    id = Column(Integer, primary_key=True)
    participant_id = Column(ForeignKey("participant.id"), nullable=False, index=True)
    # A Signs of Safety column, or None for answers that are for the chair only
    # (preparation, support needs, anything else).
    column_key = Column(String(32))
    question_key = Column(String(64), nullable=False)
    text = Column(EncryptedText, nullable=False)
    choice = Column(String(32))  # the option key, for a question with fixed choices
    flagged = Column(Boolean, nullable=False, default=False)  # the chair should look at it
    late = Column(Boolean, nullable=False, default=False)  # added after the answers were sent
    children = Column(JSON, nullable=False, default=list)
    share_with = Column(String(32), nullable=False, default="everyone")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    superseded_at = Column(DateTime)  # set when a newer version replaces this one
    superseded_by_id = Column(ForeignKey("answer.id"))
    # Held back from the family because it raised an alert or a concern, until the chair
    # releases it (bot/review/): who released it, and when.
    released_at = Column(DateTime)
    released_by = Column(String(64))

    participant = relationship("Participant")


class Score(Base):
    __tablename__ = "score"
    __table_args__ = (CheckConstraint("score BETWEEN 0 AND 10", name="score_range"),)

    id = Column(Integer, primary_key=True)
    danger_statement_id = Column(ForeignKey("danger_statement.id"), nullable=False, index=True)
    participant_id = Column(ForeignKey("participant.id"), nullable=False, index=True)
    score = Column(Integer, nullable=False)
    reason = Column(EncryptedText)
    next_point = Column(EncryptedText)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    superseded_at = Column(DateTime)

    danger_statement = relationship("DangerStatement")
    participant = relationship("Participant")


class Progress(Base):
    """Where a participant is in their agenda, kept here so resume survives anything."""

    __tablename__ = "progress"
    __table_args__ = (_one_of("progress", "state", ("active", "paused", "stopped", "done")),)

    participant_id = Column(ForeignKey("participant.id"), primary_key=True)
    step = Column(String(100))  # the step id, e.g. "worries" or "scale@D1"; None: not begun
    phase = Column(String(32), nullable=False, default="ask")
    data = Column(JSON, nullable=False, default=dict)
    state = Column(String(16), nullable=False, default="active")
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    participant = relationship("Participant")


class SafeguardingAlert(Base):
    """Seen by the social worker and the chair, never by the family."""

    __tablename__ = "safeguarding_alert"

    id = Column(Integer, primary_key=True)
    # Both None for someone not joined (a wrong code, locked out): for the duty inbox.
    conference_id = Column(ForeignKey("conference.id"), nullable=True, index=True)
    participant_id = Column(ForeignKey("participant.id"), nullable=True)
    kind = Column(String(32), nullable=False)  # immediate_danger or concern
    pattern = Column(String(32))  # which family of words matched, e.g. "harm"
    text = Column(EncryptedText, nullable=False)  # the exact words
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # "You misunderstood": recorded beside the alert, which stays.
    disputed_text = Column(EncryptedText)
    disputed_at = Column(DateTime)
    # The answer the words were kept as (every message typed at a question is one).
    answer_id = Column(ForeignKey("answer.id"))
    # The reply to "Are you safe right now?": safe_now, not_safe_now or unsure.
    check_reply = Column(String(16))
    read_at = Column(DateTime)  # the chair marked it as read
    read_by = Column(String(64))

    participant = relationship("Participant")
    answer = relationship("Answer", foreign_keys=[answer_id])


class Notification(Base):
    """The outbox: an alert's email or text message, retried until delivered."""

    __tablename__ = "notification"
    __table_args__ = (
        _one_of("notification", "channel", ("email", "sms")),
        _one_of("notification", "status", ("pending", "sending", "sent")),
    )

    id = Column(Integer, primary_key=True)
    alert_id = Column(ForeignKey("safeguarding_alert.id"), nullable=False, index=True)
    channel = Column(String(8), nullable=False)
    recipient = Column(EncryptedText, nullable=False)  # an email address or phone number
    recipient_role = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(String(500))
    next_attempt_at = Column(DateTime, nullable=False, default=utcnow)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    sent_at = Column(DateTime)
    provider_id = Column(String(64))  # Notify's id for the message

    alert = relationship("SafeguardingAlert")


class AuditEvent(Base):
    """Who did what to which record. Append-only: the database refuses updates and deletes."""

    __tablename__ = "audit_event"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    actor = Column(String(200), nullable=False)
    action = Column(String(64), nullable=False)
    record_type = Column(String(64), nullable=False)
    record_id = Column(String(64), nullable=False)
    detail = Column(JSON, nullable=False, default=dict)


class _ChairToken:
    """A chair's token, of which only the hash is kept."""

    id = Column(Integer, primary_key=True)
    participant_id = Column(ForeignKey("participant.id"), nullable=False, index=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)

    @declared_attr
    def participant(cls):
        return relationship("Participant")


class ChairLink(_ChairToken, Base):
    """A single-use, expiring sign-in link for a conference's chair."""

    __tablename__ = "chair_link"
    used_at = Column(DateTime)


class ChairSession(_ChairToken, Base):
    """A signed-in chair's browser: the cookie holds the token."""

    __tablename__ = "chair_session"
    ended_at = Column(DateTime)


class RecordEdit(Base):
    """A chair's change to the board, applied over what participants said, which stays as
    it was: reword, move, merge or add an item (bot/review/edits.py)."""

    __tablename__ = "record_edit"
    __table_args__ = (
        _one_of("record_edit", "kind", ("reword", "move", "merge", "add")),
        _one_of("record_edit", "column_key", vocabulary.COLUMNS),
    )

    id = Column(Integer, primary_key=True)
    conference_id = Column(ForeignKey("conference.id"), nullable=False, index=True)
    chair_id = Column(ForeignKey("participant.id"), nullable=False)
    kind = Column(String(16), nullable=False)
    item = Column(String(16))  # "a12": answer 12; "c3": the chair's own item, edit 3
    other_item = Column(String(16))  # merge: the item folded into `item`
    column_key = Column(String(32))  # move and add: where it goes
    text = Column(EncryptedText)  # reword and add
    family_sees = Column(Boolean)  # add: whether the family's copy shows the chair's item
    created_at = Column(DateTime, nullable=False, default=utcnow)

    chair = relationship("Participant")


class Decision(Base):
    """The conference's decision, recorded by the chair (guidance sections 6 and 7)."""

    __tablename__ = "decision"
    __table_args__ = (_one_of("decision", "plan", ("yes", "no")),)

    conference_id = Column(ForeignKey("conference.id"), primary_key=True)
    plan = Column(String(8))  # a child protection plan: needed / continues ("yes") or not
    categories = Column(JSON, nullable=False, default=list)  # vocabulary.CATEGORIES keys
    dissent = Column(EncryptedText)
    core_group_members = Column(EncryptedText)
    core_group_date = Column(Date)
    next_review_date = Column(Date)
    rationale = Column(EncryptedText)
    updated_by_id = Column(ForeignKey("participant.id"), nullable=False)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    updated_by = relationship("Participant")


class RecordVersion(Base):
    """An approved record, locked: the chair's summary as it stood, kept readable."""

    __tablename__ = "record_version"
    __table_args__ = (UniqueConstraint("conference_id", "number"),)

    id = Column(Integer, primary_key=True)
    conference_id = Column(ForeignKey("conference.id"), nullable=False, index=True)
    number = Column(Integer, nullable=False)
    approved_by_id = Column(ForeignKey("participant.id"), nullable=False)
    approved_at = Column(DateTime, nullable=False, default=utcnow)
    content_hash = Column(String(64), nullable=False)  # bot/review/record.py: changed since?
    record = deferred(Column(EncryptedText, nullable=False))  # the summary as JSON

    approved_by = relationship("Participant")


class WebChat(Base):
    """A web chat session: the browser's cookie holds the token (only its hash is here);
    the Rasa sender id is ours, never the browser's. The last few turns are kept,
    encrypted, so a reload shows the question and what led to it, until the session ends."""

    __tablename__ = "web_chat"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    sender = Column(String(64), nullable=False, index=True)
    # This browser's long-lived mark (its hash): a child's chat opens again only here.
    device_hash = Column(String(64), index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow)
    ended_at = Column(DateTime)
    last_replies = Column(EncryptedText)  # JSON: the recent turns to show on a reload


class TelegramChat(Base):
    """What the Telegram bridge keeps of a chat: the buttons it last showed (a tap sends
    their position, as Telegram allows 64 bytes of data on a button), keyed by our sender."""

    __tablename__ = "telegram_chat"

    sender = Column(String(64), primary_key=True)
    buttons = Column(EncryptedText)  # JSON list of {"title", "payload"}
    keyboard_message_id = Column(BigInteger)  # the message they are on: older taps are stale
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class TelegramUpdate(Base):
    """Each of Telegram's update ids, taken once: a retried delivery is not answered twice."""

    __tablename__ = "telegram_update"

    update_id = Column(BigInteger, primary_key=True, autoincrement=False)
    received_at = Column(DateTime, nullable=False, default=utcnow)
    done = Column(Boolean, nullable=False, default=False)  # False: being handled now


class Picture(Base):
    """A drawing or photo a child sent at one of their houses: decoded and re-encoded (no
    metadata or location survives), encrypted. Private to the chair and the social worker
    until the child chooses "everyone" for that house (bot/model/pictures.py)."""

    __tablename__ = "picture"
    __table_args__ = (_one_of("picture", "media_type", ("image/png", "image/jpeg")),)

    id = Column(Integer, primary_key=True)
    participant_id = Column(ForeignKey("participant.id"), nullable=False, index=True)
    house = Column(String(32), nullable=False)
    question_key = Column(String(64), nullable=False)  # the question she was at
    share_with = Column(String(32), nullable=False, default="chair_and_social_worker")
    media_type = Column(String(16), nullable=False)
    width = Column(Integer, nullable=False)
    height = Column(Integer, nullable=False)
    image = deferred(Column(EncryptedBytes, nullable=False))  # read only when shown
    created_at = Column(DateTime, nullable=False, default=utcnow)

    participant = relationship("Participant")


class Staff(Base):
    """A member of the council's staff who signs in to the pages: a coordinator sets up
    every conference and invites its participants; a chair reviews those assigned to them.
    Staff are people of the council, not participants of one conference."""

    __tablename__ = "staff"
    __table_args__ = (_one_of("staff", "role", vocabulary.STAFF_ROLES),)

    id = Column(Integer, primary_key=True)
    name = Column(EncryptedText, nullable=False)
    email = Column(EncryptedText, nullable=False)
    # sha256 of the address in lower case: how a sign-in or a conference file finds them.
    email_hash = Column(String(64), nullable=False, unique=True)
    role = Column(String(16), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    removed_at = Column(DateTime)  # can no longer sign in; what they did stays audited

    @property
    def actor(self) -> str:
        """How the audit log names this member of staff."""
        return f"staff:{self.id}"


class _StaffToken:
    """A member of staff's token, of which only the hash is kept."""

    id = Column(Integer, primary_key=True)
    staff_id = Column(ForeignKey("staff.id"), nullable=False, index=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)

    @declared_attr
    def staff(cls):
        return relationship("Staff")


class StaffLink(_StaffToken, Base):
    """A single-use, expiring sign-in link for a member of staff."""

    __tablename__ = "staff_link"
    used_at = Column(DateTime)


class StaffSession(_StaffToken, Base):
    """A signed-in member of staff's browser: the cookie holds the token."""

    __tablename__ = "staff_session"
    ended_at = Column(DateTime)


class Outreach(Base):
    """An invite or a reminder to one of a participant's contacts: an email or a text sent
    through GOV.UK Notify from this outbox, or a letter printed. Its status follows Notify's
    delivery report. A reminder is sent once for each reason: the database refuses a second."""

    __tablename__ = "outreach"
    __table_args__ = (
        _one_of("outreach", "kind", vocabulary.OUTREACH_KINDS),
        _one_of("outreach", "channel", vocabulary.OUTREACH_CHANNELS),
        _one_of("outreach", "status", vocabulary.OUTREACH_STATUSES),
        Index(
            "one_reminder_per_reason",
            "participant_id",
            "reason",
            "channel",
            unique=True,
            sqlite_where=text("kind = 'reminder'"),
            postgresql_where=text("kind = 'reminder'"),
        ),
    )

    id = Column(Integer, primary_key=True)
    participant_id = Column(ForeignKey("participant.id"), nullable=False, index=True)
    invite_id = Column(ForeignKey("invite.id"))  # the invite whose code it carries
    kind = Column(String(16), nullable=False)
    # Why it goes: "invite"; a reminder's "not_finished" or "report_due".
    reason = Column(String(32), nullable=False)
    channel = Column(String(8), nullable=False)
    recipient = Column(EncryptedText)  # the email address or mobile number; None: a letter
    status = Column(String(16), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(String(500))
    next_attempt_at = Column(DateTime, nullable=False, default=utcnow)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    created_by = Column(String(200), nullable=False)  # the audit actor, or "service"
    sent_at = Column(DateTime)
    provider_id = Column(String(64))  # Notify's id for the message
    delivered_at = Column(DateTime)
    status_checked_at = Column(DateTime)  # when Notify was last asked how it went

    participant = relationship("Participant")
    invite = relationship("Invite")
