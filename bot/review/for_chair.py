"""What each person said for the chair before the meeting, laid out for the chair's page
"Said for the chair": their message to the chair, a child's wishes (meeting the chair,
coming to the meeting, an advocate), needs for the meeting, the reports (seen, questions,
shared with the family), a professional's recommendation and what the child told them,
answers of "none", and anything sent after the answers.

Built from the one summary builder's `for_chair` list, so the page and the exports hold the
same items. Parents first, as everywhere; what arrived after the answers on or after the
conference day comes first of all, since the chair may not have read it yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from itertools import groupby
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import vocabulary, wording
from bot.model.tables import Answer, Conference
from bot.review.statuses import answering_statuses, shown_status
from bot.summary.outline import names_of, who

UK = ZoneInfo("Europe/London")


@dataclass
class Said:
    """One answer for the chair, in the person's words."""

    id: str
    question: str
    text: str
    flagged: bool  # an answer the agenda marks for the chair to look at ("No" to the reports)
    sent_after: str | None = None  # a late addition: the day it came, in words


@dataclass
class Person:
    key: str
    who: str  # "Kelly Smith (parent or carer)"
    status: str  # bot/review/statuses.py
    status_words: str
    # (question, [answers]) in the order they were asked: a repeated question is one row
    rows: list[tuple[str, list[Said]]] = field(default_factory=list)


@dataclass
class ForChair:
    first: list[tuple[str, Said]]  # (who, late addition) on or after the conference day
    people: list[Person]  # everyone asked for their views, parents first


def _arrived(session: Session, late_ids: list[str]) -> dict[str, datetime]:
    """When each late addition came, by item id ("a12"), in UK time."""
    if not late_ids:
        return {}
    found = session.execute(
        select(Answer.id, Answer.created_at).where(Answer.id.in_([int(i[1:]) for i in late_ids]))
    ).all()
    return {
        f"a{answer_id}": created.replace(tzinfo=timezone.utc).astimezone(UK)
        for answer_id, created in found
    }


def said_for_chair(session: Session, conference: Conference, summary: dict) -> ForChair:
    """The page's content from the chair's summary (build_summary(..., "chair"))."""
    participants = {p.key: p for p in conference.participants}
    names = names_of(conference.participants)  # marks anyone taken off the conference
    items = summary.get("for_chair", [])
    # Everyone asked for their views, parents first; anyone else only if they said something.
    said_by = [r["participant"] for r in summary["responses"]] + [i["participant"] for i in items]
    listed = list(dict.fromkeys(said_by))
    statuses = answering_statuses(session, [participants[key] for key in listed])
    arrived = _arrived(session, [i["id"] for i in items if i["added_after_sending"]])
    conference_day: date = conference.date.date()

    first, by_person = [], {}
    for item in items:
        when = arrived.get(item["id"])
        said = Said(
            id=item["id"],
            question=item["question"],
            text=item["text"],
            flagged=item["flagged"],
            sent_after=wording.day(when.date()) if when else None,
        )
        if when and when.date() >= conference_day:
            first.append((who(item, names), said))
        else:
            by_person.setdefault(item["participant"], []).append(said)

    people = []
    for key in listed:
        participant = participants[key]
        status = shown_status(participant, statuses[participant.id][0])
        said = by_person.get(key, [])
        rows = [(question, list(found)) for question, found in groupby(said, lambda s: s.question)]
        mark = {"participant": key, "role": participant.role}
        words = vocabulary.RESPONSE_WORDS[status]
        people.append(Person(key, who(mark, names), status, words, rows))
    return ForChair(first, people)
