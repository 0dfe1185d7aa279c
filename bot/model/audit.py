"""The audit log: who did what to which record. Rows are only ever added."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.model.tables import AuditEvent


def record(session: Session, actor: str, action: str, record_type: str, record_id, **detail):
    event = AuditEvent(
        actor=actor,
        action=action,
        record_type=record_type,
        record_id=str(record_id),
        detail=detail,
    )
    session.add(event)
    return event
