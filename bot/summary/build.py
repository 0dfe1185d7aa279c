"""Build the summary (CONTRACT.md's JSON shape) from the database: a pure read.

Every list is in parents-first order: by role (bot.vocabulary.ROLES), then in the order
the participants first answered, then in the order they gave their answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import vocabulary
from bot.agenda.loader import Agenda, load_agenda
from bot.model.answers import NONE_GIVEN
from bot.model.pictures import picture_items
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
from bot.review.statuses import removed_iso
from bot.summary.scaling import scaling

AUDIENCES = ("chair", "family")


class UnknownConference(LookupError):
    pass


# Why an answer is held back from the family (the chair's copy marks it; bot/review/alerts.py).
HELD_BACK_REASONS = {"immediate_danger": "alert", "concern": "concern"}


class FamilyView:
    """What the family may read: closed by default. Only a participant who sent their
    answers and said yes to sharing; of a young person, only the houses they chose to
    show everyone, and their reasons for a score only if they chose that for every house
    they filled; never words that raised a safeguarding alert or concern, until the chair
    releases the answer they were kept as. The chair's summary marks every item with this
    answer (`family_sees`)."""

    def __init__(self, participants, answers, alerts, houses: dict[str, str], newest: dict):
        self.agreed = {
            p.id for p in participants if p.response_status == "submitted" and p.consent_to_share
        }
        # An alert names the answer its words were kept as; an older one (no answer_id), and
        # any alert for a score's reasons (scores are not answers), is matched by its words.
        # A revised answer stays held back: its new words may still hold the old ones, and
        # the chair releases only words they have read (`newest`: answer id -> newest's).
        self.alerted = {(a.participant_id, a.text.strip()) for a in alerts}
        self.by_answer: dict[int, str] = {}
        self.by_words: dict[tuple, str] = {}
        for alert in alerts:
            reason = HELD_BACK_REASONS.get(alert.kind, "alert")
            if alert.answer_id:
                found, key = self.by_answer, newest.get(alert.answer_id, alert.answer_id)
            else:
                found, key = self.by_words, (alert.participant_id, alert.text.strip())
            if found.get(key) != "alert":  # an alert outweighs a concern
                found[key] = reason
        filled = [a for a in answers if a.question_key in houses]
        private = {a.participant_id for a in filled if a.share_with != "everyone"}
        self.open_reasons = {a.participant_id for a in filled} - private
        # A child's house with words held back holds back her pictures there too (a drawing
        # may show what her words told): (participant id, house) -> why, until released.
        self.held_houses: dict[tuple[int, str], str] = {}
        for answer in filter(self.held_back, filled):
            where = (answer.participant_id, houses[answer.question_key])
            if self.held_houses.get(where) != "alert":  # an alert outweighs a concern
                self.held_houses[where] = self.raised(answer)

    def _alerted(self, participant_id: int, *texts) -> bool:
        return any(text and (participant_id, text.strip()) in self.alerted for text in texts)

    def raised(self, answer: Answer) -> str | None:
        """Why this answer is held back: "alert" or "concern" (None: it raised neither)."""
        if answer.id in self.by_answer:
            return self.by_answer[answer.id]
        return self.by_words.get((answer.participant_id, (answer.text or "").strip()))

    def shareable(self, answer: Answer) -> bool:
        """Whether the family may read it once nothing holds it back."""
        return (
            answer.participant_id in self.agreed
            and answer.share_with == "everyone"
            and answer.column_key is not None
        )

    def held_back(self, answer: Answer) -> bool:
        return self.raised(answer) is not None and answer.released_at is None

    def answer(self, answer: Answer) -> bool:
        return self.shareable(answer) and not self.held_back(answer)

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


@dataclass
class _Gathered:
    """What the summary and the held-back list are built from."""

    participants: list[Participant]  # parents first
    rank: dict[int, int]  # participant id -> place in that order
    answers: list[Answer]  # current versions, parents first
    alerts: list[SafeguardingAlert]
    newest: dict[int, int]  # answer id -> its newest version's
    view: FamilyView


def _gather(session: Session, conference: Conference, agenda: Agenda) -> _Gathered:
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
    houses = {key: q.house for key in keys if (q := agenda.question(key)) and q.house}
    newest = newest_answers(session, conference.id)
    view = FamilyView(participants, answers, found, houses, newest)
    return _Gathered(participants, rank, answers, found, newest, view)


def held_back(session: Session, conference_id: str, agenda: Agenda | None = None) -> list[dict]:
    """Every answer the family's copy holds back because its words raised an alert or a
    concern, released or not, parents first, in the words as said (whatever the chair's
    edits made of it on the board): what the chair reads before releasing it. Only
    answers that belong on the board: the rest never reach the family."""
    conference = session.get(Conference, conference_id)
    if conference is None:
        raise UnknownConference(conference_id)
    agenda = agenda or load_agenda()
    gathered = _gather(session, conference, agenda)
    view = gathered.view
    return [
        {
            "id": answer_item(answer.id),
            "participant": answer.participant.key,
            "role": answer.participant.role,
            "text": answer.text,
            "child_voice": bool((q := agenda.question(answer.question_key)) and q.house),
            **_held_back(answer, view, family=False)["held_back"],
        }
        for answer in gathered.answers
        if answer.column_key is not None and view.raised(answer)
    ]


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

    gathered = _gather(session, conference, agenda)
    participants, rank, answers = gathered.participants, gathered.rank, gathered.answers
    found, newest, view = gathered.alerts, gathered.newest, gathered.view
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
        shown = {**marks(view.answer(answer)), **_held_back(answer, view, family)}
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
                    # "None known", "Nothing to add": the person's answer that there is none
                    "answer_of_none": answer.choice == NONE_GIVEN,
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
                "answer": kept_as(alert, newest),  # the item id, or None for an older alert
                "check_reply": alert.check_reply,  # to "Are you safe right now?", if asked
                "read": alert.read_at is not None,  # the chair marked it as read
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
                # taken off the conference (what they said stays, marked): when, else None
                "removed_at": removed_iso(p),
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
        # A child's drawings and photos (metadata: the image is fetched by its id).
        "pictures": picture_items(session, participants, view.agreed, view.held_houses, family),
    }
    edits = session.execute(
        select(RecordEdit).where(RecordEdit.conference_id == conference.id).order_by(RecordEdit.id)
    ).scalars()
    order = {participant.key: index for index, participant in enumerate(participants)}
    current = {answer_item(old): answer_item(new) for old, new in newest.items()}
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
            {"participant": r["participant"], "role": r["role"], "removed_at": r["removed_at"]}
            for r in summary["responses"]
        ]
        # Approved or not is judged on the chair's copy: the whole record.
        summary["record"] = build_summary(session, conference_id, "chair", agenda)["record"]
    summary["conference"]["status"] = summary["record"]["status"]
    return summary


def newest_answers(session: Session, conference_id: str) -> dict[int, int]:
    """Answer id of every revised answer -> answer id of its newest version."""
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
        newest[answer_id] = last
    return newest


def newest_versions(session: Session, conference_id: str) -> dict[str, str]:
    """Item id of every revised answer -> item id of its newest version."""
    return {
        answer_item(old): answer_item(new)
        for old, new in newest_answers(session, conference_id).items()
    }


def kept_as(alert: SafeguardingAlert, newest: dict[int, int]) -> str | None:
    """The item id of the answer an alert's words were kept as, where it is now (its newest
    version: the id the board and the child's voice use); None for an older alert."""
    if alert.answer_id is None:
        return None
    return answer_item(newest.get(alert.answer_id, alert.answer_id))


def _held_back(answer: Answer, view: FamilyView, family: bool) -> dict:
    """In the chair's copy, an answer whose words raised an alert or a concern: why it is
    held back, whether the chair released it, and whether the family may read it then."""
    reason = view.raised(answer)
    if family or reason is None:
        return {}
    released = (
        {"by": answer.released_by, "at": answer.released_at.isoformat(timespec="seconds")}
        if answer.released_at
        else None
    )
    held = {"reason": reason, "released": released, "shareable": view.shareable(answer)}
    return {"held_back": held}


def _reasons(score: Score, shown: bool, family: bool) -> dict:
    if family and not shown:
        return {"reason": None, "next_point": None}
    reasons = {"reason": score.reason, "next_point": score.next_point}
    return reasons if family else {**reasons, "family_sees_reasons": shown}
