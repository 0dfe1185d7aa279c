"""The record: the conference's decision, approving it as version N, and whether anything
has changed since (then it is a draft again, version N+1).

An approved version keeps the chair's summary exactly as it stood, encrypted, so earlier
versions stay readable whatever changes later.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import deadlines, wording
from bot.model.audit import record
from bot.model.tables import (
    AuditEvent,
    Conference,
    Decision,
    Participant,
    RecordVersion,
    utcnow,
)
from bot.review.statuses import answering_statuses

RECORD_DUE_WORKING_DAYS = 15  # the record is circulated within 15 working days (seed 002)
CORE_GROUP_WITHIN_WORKING_DAYS = 20
PLAN_WORDS = {
    "initial": {
        "yes": "A child protection plan is needed.",
        "no": "A child protection plan is not needed.",
    },
    "review": {
        "yes": "The child protection plan continues.",
        "no": "The child protection plan ends.",
    },
}
TEXT_FIELDS = ("dissent", "core_group_members", "rationale")
# Each date of the decision, and what it is, as its error messages name it.
DATE_FIELDS = {
    "core_group_date": "the first core group meeting",
    "next_review_date": "the next review conference",
}
DATE_PARTS = ("day", "month", "year")


def category_titles(agenda) -> dict:
    """The plan's categories, from the agenda's question, which a partnership may extend."""
    question = agenda.question("category")
    return {option.key: option.title for option in question.options} if question else {}


def record_due(conference: Conference) -> date:
    return deadlines.working_days_after(conference.date.date(), RECORD_DUE_WORKING_DAYS)


def decision_summary(
    decision: Decision | None, conference_type: str, category_titles: dict
) -> dict | None:
    if decision is None:
        return None
    categories = list(decision.categories or [])
    return {
        "plan": decision.plan,
        "plan_words": PLAN_WORDS[conference_type].get(decision.plan),
        "categories": categories,
        "category_titles": [category_titles.get(key, key) for key in categories],
        **{name: getattr(decision, name) for name in TEXT_FIELDS},
        **{
            name: value.isoformat() if (value := getattr(decision, name)) else None
            for name in DATE_FIELDS
        },
        "recorded_by": decision.updated_by.key,
        "at": decision.updated_at.isoformat(timespec="seconds"),
    }


@dataclass
class DecisionForm:
    """The decision as the chair typed it, checked; `errors` names each field's problem and
    `typed` keeps each date's day, month and year as typed, to show them again."""

    values: dict
    errors: dict = field(default_factory=dict)
    typed: dict = field(default_factory=dict)


def typed_date(form: dict, name: str) -> dict:
    """A date's day, month and year as typed; a whole date typed in the day's box
    ("31/2/2027") is split into the three."""
    parts = {part: str(form.get(f"{name}-{part}", "")).strip() for part in DATE_PARTS}
    whole = re.split(r"\s*[/.\-\s]\s*", parts["day"])
    if len(whole) == 3 and not parts["month"] and not parts["year"]:
        parts = dict(zip(DATE_PARTS, whole))
    return parts


def shown_date(value: date | None) -> dict:
    """A saved date as the form's three boxes show it."""
    if value is None:
        return dict.fromkeys(DATE_PARTS, "")
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}


def _date(parts: dict, name: str) -> date | None:
    return typed_to_date(parts, DATE_FIELDS[name])


def typed_to_date(parts: dict, what: str) -> date | None:
    """A date typed in three boxes, or None when all are empty; ValueError says what is
    wrong, naming `what` ("the next review conference")."""
    if not any(parts.values()):
        return None
    if not parts["year"].isdigit() or len(parts["year"]) != 4:
        raise ValueError(
            f"Enter a real date for {what}, with the year in full, for example 27 3 2027"
        )
    try:
        return date(int(parts["year"]), month_number(parts["month"]), int(parts["day"]))
    except (ValueError, OverflowError):  # OverflowError: a day or month of 30 digits
        raise ValueError(f"Enter a real date for {what}, for example 27 3 2027") from None


# People type a month as a word too ("Dec", "sept", "December"), as GOV.UK's date pattern
# allows; anything else must be its number.
MONTHS = ("january february march april may june july august september october november "
          "december").split()  # fmt: skip


def month_number(typed: str) -> int:
    word = typed.strip().lower().rstrip(".")
    named = [n for n, month in enumerate(MONTHS, 1) if len(word) >= 3 and month.startswith(word)]
    return named[0] if named else int(typed)


def check_decision(form: dict, conference: Conference, categories: list[str]) -> DecisionForm:
    values = {name: (form.get(name) or "").strip() or None for name in TEXT_FIELDS}
    values["plan"] = form.get("plan") if form.get("plan") in ("yes", "no") else None
    chosen = (
        form.getall("categories", []) if hasattr(form, "getall") else form.get("categories", [])
    )
    values["categories"] = [key for key in categories if key in chosen]
    checked = DecisionForm(values)
    errors = checked.errors
    for name in DATE_FIELDS:
        checked.typed[name] = typed_date(form, name)
        try:
            values[name] = _date(checked.typed[name], name)
        except ValueError as error:
            errors[name] = str(error)
            values[name] = None
    if values["plan"] is None:
        errors["plan"] = "Say whether there is a child protection plan."
    if values["plan"] == "yes":
        if categories and not values["categories"]:
            errors["categories"] = "Choose the category of the plan."
        held = conference.date.date()
        latest = deadlines.working_days_after(held, CORE_GROUP_WITHIN_WORKING_DAYS)
        core = values["core_group_date"]
        if core is None and "core_group_date" not in errors:
            errors["core_group_date"] = "Enter the date of the first core group meeting."
        elif core is not None and not held <= core <= latest:
            errors["core_group_date"] = (
                "The first core group meeting must be within 20 working days of the "
                f"conference: by {wording.day(latest)}."
            )
    else:
        values["categories"] = []
    review = values["next_review_date"]
    if review is not None and review <= conference.date.date():
        errors.setdefault(
            "next_review_date", "The next review conference must be after this conference."
        )
    if not values["rationale"]:
        errors["rationale"] = "Write the reasons for the decision."
    return checked


def save_decision(
    session: Session, conference: Conference, chair: Participant, values: dict, actor: str = ""
):
    """Save the decision as `chair`'s; the audit log names `actor` (a staff chair) or them."""
    decision = session.get(Decision, conference.id) or Decision(conference_id=conference.id)
    for name, value in values.items():
        setattr(decision, name, value)
    decision.updated_by = chair
    decision.updated_at = utcnow()
    session.add(decision)
    record(
        session,
        actor or chair.actor,
        "decision_recorded",
        "conference",
        conference.id,
        plan=values["plan"],
        categories=values["categories"],
    )
    return decision


def versions(session: Session, conference_id: str) -> list[RecordVersion]:
    return list(
        session.execute(
            select(RecordVersion)
            .where(RecordVersion.conference_id == conference_id)
            .order_by(RecordVersion.number)
        ).scalars()
    )


def content_hash(summary: dict) -> str:
    """What a version locks: the chair's summary without its own status and version (nor
    whether each alert has been read)."""
    content = {key: value for key, value in summary.items() if key != "record"}
    content["conference"] = {k: v for k, v in summary["conference"].items() if k != "status"}
    # The chair reading an alert changes their inbox, not the record: no new version for it.
    content["alerts"] = [
        {k: v for k, v in alert.items() if k != "read"} for alert in summary.get("alerts", [])
    ]
    # Nobody taken off the conference: hashed as before "removed_at" was in the summary, so
    # the versions approved then stay approved.
    content["responses"] = [
        {k: v for k, v in response.items() if k != "removed_at" or v is not None}
        for response in summary.get("responses", [])
    ]
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _as_summarised_before_0011(summary: dict) -> dict:
    """The chair's summary without what migration 0011 added to it (each alert's answer,
    safety check and read mark; why an item is held back from the family), as versions
    approved before it were hashed: adding them must not make those records drafts."""
    alert_fields = ("answer", "check_reply", "read")

    def item(found: dict) -> dict:
        return {k: v for k, v in found.items() if k != "held_back"}

    return {
        **summary,
        "columns": {c: [item(i) for i in found] for c, found in summary["columns"].items()},
        "child_voice": [item(said) for said in summary["child_voice"]],
        "alerts": [
            {k: v for k, v in alert.items() if k not in alert_fields} for alert in summary["alerts"]
        ],
    }


def record_state(session: Session, conference: Conference, summary: dict) -> dict:
    """The record's status and version, from the chair's summary: approved only while it
    is exactly what was approved (any answer, score, alert, edit or decision since makes it
    the next version's draft)."""
    approved = versions(session, conference.id)
    last = approved[-1] if approved else None
    # Once the chat's words are erased (bot/data_rights.py) what was approved stands: the
    # emptied summary is not a draft of a next version for anyone to approve.
    erased = last is not None and chat_data_erased(session, conference.id)
    still = erased or (
        last is not None
        and last.content_hash
        in (content_hash(summary), content_hash(_as_summarised_before_0011(summary)))
    )
    return {
        **({"chat_data_erased": True} if erased else {}),
        "status": "approved" if still else "draft",
        "version": last.number if still else (last.number + 1 if last else 1),
        "due": record_due(conference).isoformat(),
        "approved": [
            {
                "version": version.number,
                "by": version.approved_by.key,
                "at": version.approved_at.isoformat(timespec="seconds"),
            }
            for version in approved
        ],
    }


def chat_data_erased(session: Session, conference_id: str) -> bool:
    return (
        session.scalar(
            select(AuditEvent.id)
            .where(AuditEvent.action == "chat_data_erased")
            .where(AuditEvent.record_type == "conference", AuditEvent.record_id == conference_id)
            .limit(1)
        )
        is not None
    )


class ApproveRefused(ValueError):
    pass


def uk_today() -> date:
    return datetime.now(timezone.utc).astimezone(ZoneInfo("Europe/London")).date()


def too_early(session: Session, conference: Conference, summary: dict, today: date):
    """Why approving the record today would be early: the conference has not happened yet,
    or someone invited has not sent their answers (parents first, with where they are:
    not started, in progress, paused or stopped). None when neither: the record can be
    approved in one step."""
    held = date.fromisoformat(summary["conference"]["date"][:10])
    statuses = answering_statuses(session, conference.participants)
    where = {person.key: statuses[person.id][0] for person in conference.participants}
    unfinished = [
        {
            "participant": response["participant"],
            "role": response["role"],
            "status": where.get(response["participant"], response["status"]),
        }
        for response in summary["responses"]
        # someone taken off the conference is waited for no longer
        if response["status"] != "submitted" and not response.get("removed_at")
    ]
    if held <= today and not unfinished:
        return None
    return {
        "conference_date": held.isoformat(),
        "days_before": max((held - today).days, 0),
        "unfinished": unfinished,
    }


def approve(
    session: Session,
    conference: Conference,
    chair: Participant,
    summary: dict,
    early_confirmed: bool = False,
    today: date | None = None,
    actor: str = "",
):
    """Lock the chair's summary as the next version. Approving early (too_early) needs the
    chair's explicit confirmation, and the version keeps why it was early. The conference's
    row is locked first (on PostgreSQL), so two approvals at once make one version; on
    SQLite the second write waits, then fails on the version's unique number
    (bot/web/guard.py)."""
    session.execute(select(Conference.id).where(Conference.id == conference.id).with_for_update())
    if summary["record"]["status"] == "approved":
        raise ApproveRefused("unchanged")
    if summary.get("decision") is None:
        raise ApproveRefused("no_decision")
    early = too_early(session, conference, summary, today or uk_today())
    if early and not early_confirmed:
        raise ApproveRefused("early")
    number = len(versions(session, conference.id)) + 1
    now = utcnow()
    state = summary["record"]
    approval = {"version": number, "by": chair.key, "at": now.isoformat(timespec="seconds")}
    if early:
        approval["early"] = early
    locked = {
        **summary,
        "conference": {**summary["conference"], "status": "approved"},
        "record": {
            **state,
            "status": "approved",
            "version": number,
            "approved": [*state["approved"], approval],
        },
    }
    version = RecordVersion(
        conference_id=conference.id,
        number=number,
        approved_by=chair,
        approved_at=now,
        content_hash=content_hash(summary),
        record=json.dumps(locked, ensure_ascii=False),
    )
    session.add(version)
    record(
        session,
        actor or chair.actor,
        "record_approved",
        "conference",
        conference.id,
        version=number,
        **({"early": early} if early else {}),
    )
    return version


def approved_early(version: dict) -> dict | None:
    """Why an approved version (approved_record) was approved early; None if it was not."""
    number = version["record"]["version"]
    approval = next(a for a in version["record"]["approved"] if a["version"] == number)
    return approval.get("early")


def early_approvals(session: Session, conference_id: str) -> dict[int, dict]:
    """Version number -> why it was approved early, for the versions that were."""
    found = {
        v.number: approved_early(json.loads(v.record)) for v in versions(session, conference_id)
    }
    return {number: early for number, early in found.items() if early}


def approved_record(session: Session, conference_id: str, number: int) -> dict | None:
    version = session.execute(
        select(RecordVersion).where(
            RecordVersion.conference_id == conference_id, RecordVersion.number == number
        )
    ).scalar_one_or_none()
    return json.loads(version.record) if version else None
