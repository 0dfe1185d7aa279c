"""The chair's work on safeguarding: reading alerts in the order that matters, marking them
as read, and releasing to the family an answer held back because it raised an alert or a
concern (bot/summary/build.py decides what is held back).

Marking an alert as read changes no record; releasing an answer does, like any other edit:
the family's copy then holds it, and an approved record becomes the next version's draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.model.audit import record
from bot.model.tables import Answer, Participant, SafeguardingAlert, utcnow
from bot.summary.build import held_back, participant_order


def conference_alerts(session: Session, conference_id: str) -> list[SafeguardingAlert]:
    return list(
        session.execute(
            select(SafeguardingAlert)
            .where(SafeguardingAlert.conference_id == conference_id)
            .order_by(SafeguardingAlert.created_at, SafeguardingAlert.id)
        ).scalars()
    )


def unread_count(session: Session, conference_id: str) -> int:
    """How many of the conference's alerts the chair has not marked as read."""
    return session.execute(
        select(func.count())
        .select_from(SafeguardingAlert)
        .where(
            SafeguardingAlert.conference_id == conference_id,
            SafeguardingAlert.read_at.is_(None),
        )
    ).scalar_one()


@dataclass
class ReadingOrder:
    """Immediate danger first, newest first; then concerns, one group a person, parents
    first, each person's in the order they said them."""

    immediate: list[SafeguardingAlert] = field(default_factory=list)
    concerns: list[tuple[Participant | None, list[SafeguardingAlert]]] = field(default_factory=list)


def in_reading_order(alerts: list[SafeguardingAlert]) -> ReadingOrder:
    order = ReadingOrder()
    order.immediate = sorted(
        (a for a in alerts if a.kind == "immediate_danger"),
        key=lambda a: (a.created_at, a.id),
        reverse=True,
    )
    people: dict[int | None, list[SafeguardingAlert]] = {}
    for alert in sorted(alerts, key=lambda a: (a.created_at, a.id)):
        if alert.kind != "immediate_danger":
            people.setdefault(alert.participant_id, []).append(alert)

    def parents_first(group):  # someone not identified (never expected here) goes last
        person = group[1][0].participant
        return (0, participant_order(person)) if person is not None else (1,)

    grouped = sorted(people.items(), key=parents_first)
    order.concerns = [(found[0].participant, found) for _, found in grouped]
    return order


def mark_read(
    session: Session, conference_id: str, chair: Participant, alert_id: str, actor: str = ""
) -> SafeguardingAlert | None:
    """Mark one of this conference's alerts as read (once: who read it first stays). None
    when there is no such alert in this conference. `actor`: who the audit log names, when
    not the chair participant (a staff chair)."""
    if not re.fullmatch(r"[0-9]{1,9}", alert_id or ""):  # a form's value, from anyone
        return None
    alert = session.get(SafeguardingAlert, int(alert_id))
    if alert is None or alert.conference_id != conference_id:
        return None
    if alert.read_at is None:
        alert.read_at, alert.read_by = utcnow(), chair.key
        record(session, actor or chair.actor, "alert_read", "safeguarding_alert", alert.id)
    return alert


def still_held_back(session: Session, conference_id: str) -> list[dict]:
    """The answers held back from the family that the chair has not released."""
    return [item for item in held_back(session, conference_id) if not item["released"]]


class ReleaseRefused(ValueError):
    pass


def release(
    session: Session, conference_id: str, chair: Participant, item_id: str, actor: str = ""
) -> Answer:
    """Release to the family an answer held back from them: it then reaches their copy if
    its author agreed to share it (a child's, if they chose "everyone"), like any other
    item. Only an answer still held back, of this conference, as it stands now."""
    held = {item["id"]: item for item in still_held_back(session, conference_id)}
    if item_id not in held:
        raise ReleaseRefused("gone")
    answer = session.get(Answer, int(item_id.removeprefix("a")))
    answer.released_at, answer.released_by = utcnow(), chair.key
    record(
        session,
        actor or chair.actor,
        "answer_released",
        "answer",
        answer.id,
        reason=held[item_id]["reason"],
    )
    return answer
