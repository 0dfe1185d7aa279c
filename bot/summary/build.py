"""Build the summary (CONTRACT.md's JSON shape) from the database: a pure read.

Every list is in parents-first order: by role (bot.vocabulary.ROLES), then in the order
the participants first answered, then in the order they gave their answers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import vocabulary
from bot.agenda.loader import Agenda, load_agenda
from bot.model.tables import (
    Answer,
    Conference,
    Decision,
    Participant,
    PreviousScore,
    RecordEdit,
    SafeguardingAlert,
    Score,
)
from bot.review.edits import answer_item, apply_edits
from bot.review.record import category_titles, decision_summary, record_state
from bot.summary.scaling import scaling

AUDIENCES = ("chair", "family")


class UnknownConference(LookupError):
    pass


class FamilyView:
    """What the family may read: closed by default. Only a participant who sent their
    answers and said yes to sharing; of a young person, only the houses they chose to
    show everyone, and their reasons for a score only if they chose that for every house
    they filled; never words that raised a safeguarding alert or concern. The chair's
    summary marks every item with this answer (`family_sees`)."""

    def __init__(self, participants, answers, alerts, houses: set[str]):
        self.agreed = {
            p.id for p in participants if p.response_status == "submitted" and p.consent_to_share
        }
        self.alerted = {(a.participant_id, a.text.strip()) for a in alerts}
        filled = [a for a in answers if a.question_key in houses]
        private = {a.participant_id for a in filled if a.share_with != "everyone"}
        self.open_reasons = {a.participant_id for a in filled} - private

    def _alerted(self, participant_id: int, *texts) -> bool:
        return any(text and (participant_id, text.strip()) in self.alerted for text in texts)

    def answer(self, answer: Answer) -> bool:
        return (
            answer.participant_id in self.agreed
            and answer.share_with == "everyone"
            and answer.column_key is not None
            and not self._alerted(answer.participant_id, answer.text)
        )

    def score(self, score: Score) -> bool:
        return score.participant_id in self.agreed

    def reasons(self, score: Score) -> bool:
        young = score.participant.role == "young_person"
        return (
            self.score(score)
            and (not young or score.participant_id in self.open_reasons)
            and not self._alerted(score.participant_id, score.reason, score.next_point)
        )


def _when(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M") if moment else None


def participant_order(participant: Participant) -> tuple:
    """Parents first; within a role, whoever answered first."""
    return (
        vocabulary.role_order(participant.role),
        participant.first_answered_at or datetime.max,
        participant.position,
    )


def build_summary(
    session: Session, conference_id: str, audience: str = "chair", agenda: Agenda | None = None
) -> dict:
    if audience not in AUDIENCES:
        raise ValueError(f"audience should be one of {AUDIENCES}")
    conference = session.get(Conference, conference_id)
    if conference is None:
        raise UnknownConference(conference_id)
    agenda = agenda or load_agenda()
    family = audience == "family"

    def marks(family_sees: bool) -> dict:
        """The chair's copy says who else may read an item; the family's says nothing."""
        return {} if family else {"family_sees": family_sees}

    participants = sorted(conference.participants, key=participant_order)
    rank = {participant.id: index for index, participant in enumerate(participants)}
    answers = session.execute(
        select(Answer)
        .join(Participant)
        .where(Participant.conference_id == conference.id, Answer.superseded_at.is_(None))
    ).scalars()
    answers = sorted(answers, key=lambda a: (rank[a.participant_id], a.id))
    found = (
        session.execute(
            select(SafeguardingAlert)
            .where(SafeguardingAlert.conference_id == conference.id)
            .order_by(SafeguardingAlert.created_at)
        )
        .scalars()
        .all()
    )
    keys = {a.question_key for a in answers}
    houses = {key for key in keys if (question := agenda.question(key)) and question.house}
    view = FamilyView(participants, answers, found, houses)
    hidden = {answer_item(a.id) for a in answers if not view.answer(a)}
    if family:
        answers = [a for a in answers if view.answer(a)]

    columns = {column: [] for column in vocabulary.COLUMNS}
    for_chair, child_voice = [], []
    for answer in answers:
        who = {
            "id": answer_item(answer.id),
            "participant": answer.participant.key,
            "role": answer.participant.role,
        }
        shown = marks(view.answer(answer))
        question = agenda.question(answer.question_key)
        house = question.house if question else None
        if house:  # the child's own words, never paraphrased
            child_voice.append(
                {
                    **who,
                    "house": house,
                    "text": answer.text,
                    "question": agenda.label(answer.question_key),
                    "share_with": answer.share_with,
                    **shown,
                }
            )
        if answer.column_key:
            item = {"text": answer.text, **who, "children": list(answer.children), **shown}
            columns[answer.column_key].append({**item, "child_voice": True} if house else item)
        elif not family and not (question and question.kind == "consent"):
            # (a consent, "Send it" or "Yes, share them", is in `responses`, not the record)
            for_chair.append(
                {
                    **who,
                    "question": agenda.label(answer.question_key),
                    "text": answer.text,
                    "flagged": answer.flagged,
                    "added_after_sending": answer.late,
                    "family_sees": False,
                }
            )

    statements = {s.id: s for s in conference.danger_statements}
    position = {s.id: s.position for s in conference.danger_statements}
    previous = {
        (p.danger_statement_id, p.participant_id): p.score
        for p in session.execute(
            select(PreviousScore).where(PreviousScore.danger_statement_id.in_(statements))
        ).scalars()
    }
    scores = session.execute(
        select(Score).where(
            Score.danger_statement_id.in_(statements), Score.superseded_at.is_(None)
        )
    ).scalars()
    scores = sorted(
        (s for s in scores if not family or view.score(s)),
        key=lambda s: (rank[s.participant_id], position[s.danger_statement_id]),
    )

    alerts = []
    if not family:
        alerts = [
            {
                "participant": alert.participant.key,
                "at": alert.created_at.isoformat(timespec="seconds"),
                "kind": alert.kind,
                "text": alert.text,
                # "You misunderstood", recorded beside the alert, which stays.
                "participant_says": alert.disputed_text,
            }
            for alert in found
        ]

    summary = {
        "conference": {
            "id": conference.id,
            "type": conference.type,
            "date": _when(conference.date),
            "local_authority": conference.local_authority,
            "children": [{"key": c.key, "name": c.name, "age": c.age} for c in conference.children],
            # "status": from the record's state, at the end
        },
        "danger_statements": [
            {
                "key": s.key,
                "danger": s.danger,
                "safety_goal": s.safety_goal,
                "children": list(s.children),
            }
            for s in conference.danger_statements
        ],
        "responses": [
            {
                "participant": p.key,
                "role": p.role,
                "status": p.response_status,
                "consent_to_share": p.consent_to_share,
            }
            for p in participants
            if p.role in vocabulary.ANSWERING_ROLES
        ],
        "columns": columns,
        "child_voice": child_voice,
        "scores": [
            {
                "danger_statement": statements[s.danger_statement_id].key,
                "participant": s.participant.key,
                "role": s.participant.role,
                "score": s.score,
                "previous": (last := previous.get((s.danger_statement_id, s.participant_id))),
                "change": None if last is None else s.score - last,
                **_reasons(s, view.reasons(s), family),
                **marks(view.score(s)),
            }
            for s in scores
        ],
        "alerts": alerts,
    }
    edits = session.execute(
        select(RecordEdit).where(RecordEdit.conference_id == conference.id).order_by(RecordEdit.id)
    ).scalars()
    order = {participant.key: index for index, participant in enumerate(participants)}
    current = newest_versions(session, conference.id)
    summary["columns"] = apply_edits(columns, list(edits), family, order, current, hidden)
    summary["decision"] = decision_summary(
        session.get(Decision, conference.id), conference.type, category_titles(agenda)
    )
    summary["scaling"] = scaling(summary["scores"], [s.key for s in conference.danger_statements])
    if not family:
        summary["for_chair"] = for_chair
        summary["record"] = record_state(session, conference, summary)
    else:  # nor does it say who held back
        summary["responses"] = [
            {"participant": r["participant"], "role": r["role"]} for r in summary["responses"]
        ]
        # Approved or not is judged on the chair's copy: the whole record.
        summary["record"] = build_summary(session, conference_id, "chair", agenda)["record"]
    summary["conference"]["status"] = summary["record"]["status"]
    return summary


def newest_versions(session: Session, conference_id: str) -> dict[str, str]:
    """Item id of every revised answer -> item id of its newest version."""
    revised = dict(
        session.execute(
            select(Answer.id, Answer.superseded_by_id)
            .join(Participant)
            .where(Participant.conference_id == conference_id, Answer.superseded_by_id.is_not(None))
        ).all()
    )
    newest = {}
    for answer_id in revised:
        last = answer_id
        while last in revised:
            last = revised[last]
        newest[answer_item(answer_id)] = answer_item(last)
    return newest


def _reasons(score: Score, shown: bool, family: bool) -> dict:
    if family and not shown:
        return {"reason": None, "next_point": None}
    reasons = {"reason": score.reason, "next_point": score.next_point}
    return reasons if family else {**reasons, "family_sees_reasons": shown}
