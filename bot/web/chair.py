"""The chair's pages: who has answered, the board, the child's voice, the scaling table,
the decision, approving the record and its exports (the alerts and the family preview,
with what is held back from it, are in bot/web/chair_alerts.py).

Each handler is given a Visit (bot/web/guard.py) and returns a template's context, or a
response. Everything shown comes from the one summary builder, so the pages, the
command line's exports and the approved versions always agree.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from bot import deadlines, vocabulary, wording
from bot.agenda.loader import load_agenda
from bot.model.pictures import picture_for_chair, with_images
from bot.model.tables import RecordEdit
from bot.picture_sent import FOR_CHAIR
from bot.review import alerts as safeguarding
from bot.review import record as records
from bot.review import signin
from bot.review import staff as staff_members
from bot.review.edits import REFUSALS, EditRefused, check_edit
from bot.review.record import check_decision, save_decision
from bot.review.statuses import answering_statuses, reports_not_shared, shown_status, taken_off_note
from bot.summary.build import build_summary, participant_order
from bot.summary.export import FORMATS, MEDIA_TYPES, render
from bot.summary.outline import HELD_BACK_WORDS, SCORE_HEADINGS, Names, names_of, outline, who
from bot.summary.scaling import described
from bot.web.guard import COOKIE, STAFF_COOKIE, Visit, chair_page, redirect

PAGES = (  # (route name, title) in the service navigation
    ("responses", "Who has answered"),
    ("board", "The board"),
    ("child", "The child's voice"),
    ("for_chair", "Said for the chair"),
    ("scaling", "Scores"),
    ("alerts", "Alerts"),
    ("decision", "The decision"),
    ("record", "Approve and export"),
)
HOUSE_TITLES = {
    "good_things": "House of good things",
    "worries": "House of worries",
    "dreams": "House of dreams",
}
SHARE_WORDS = {
    "everyone": "Everyone, the family too",
    "chair_and_social_worker": "Only the social worker and the chair",
}
VIEWS = {"three": "Three columns", "hackney": "Hackney headings"}
APPROVE_REFUSALS = {
    "unchanged": "Nothing has changed since this version was approved.",
    "no_decision": "Record the decision before you approve the record.",
    "early": "The record is not approved. It is early: tick the box below if you still want "
    "to approve it now.",
}
# The decision form's fields in the page's order, which its error summary follows.
DECISION_FIELDS = (
    *("plan", "categories", "dissent", "core_group_members"),
    *records.DATE_FIELDS,
    "rationale",
)
HACKNEY = (
    ("Worries", ("worries",)),
    ("Existing safety", ("safety",)),
    ("Strengths", ("strengths",)),
    ("Complicating factors", ("complicating_factors",)),
    ("Grey areas", ("grey_areas",)),
    ("What needs to happen", ("next_steps",)),
)


def uk_time(moment: datetime | None) -> str:
    return wording.said(moment.isoformat(), utc=True) if moment else "never"


def _names(visit: Visit) -> Names:
    return names_of(visit.conference.participants)


def _page(visit: Visit, template: str, current: str, title: str, **context) -> dict:
    conference = visit.conference
    names = _names(visit)
    return {
        "_template": template,
        "title": title,
        "current": current,
        "pages": PAGES,
        "conference": conference,
        "heading": f"{conference.type.capitalize()} conference, "
        f"{wording.conference_date(conference.date)}",
        "chair": visit.chair,
        "staff": visit.staff,  # a staff chair: their name, and the way back to their list
        "csrf": visit.csrf,
        "names": names,
        "who": lambda item: who(item, names),  # "Kelly Smith (parent or carer)"
        "role_titles": vocabulary.ROLE_TITLES,
        "column_titles": vocabulary.COLUMN_TITLES,
        "score_headings": SCORE_HEADINGS,
        "held_back_words": HELD_BACK_WORDS,
        **context,
    }


def _summary(visit: Visit, audience: str = "chair") -> dict:
    return build_summary(visit.session, visit.conference.id, audience)


@chair_page("viewed_responses")
def responses(visit: Visit) -> dict:
    conference = visit.conference
    agenda = load_agenda()
    participants = sorted(conference.participants, key=participant_order)
    statuses = answering_statuses(visit.session, participants)
    not_shared = reports_not_shared(visit.session, participants)
    deadline = agenda.report_deadline(conference)
    today = datetime.now(timezone.utc).astimezone(ZoneInfo("Europe/London")).date()
    rows, late = [], []
    for participant in participants:
        if participant.role not in vocabulary.ANSWERING_ROLES:
            continue
        status, moment = statuses[participant.id]
        shown = shown_status(participant, status)
        rows.append(
            {
                "name": participant.name,
                "role": vocabulary.ROLE_TITLES[participant.role],
                "status": shown,
                "status_words": vocabulary.RESPONSE_WORDS[shown],
                "taken_off": taken_off_note(participant, status),
                "last": uk_time(moment.updated_at if moment else None),
            }
        )
        # someone taken off the conference owes the family no report now
        if deadline and participant.id in not_shared and participant.removed_at is None:
            answer = not_shared[participant.id]
            late.append(
                {
                    "name": participant.name,
                    "agency": participant.agency or vocabulary.ROLE_TITLES[participant.role],
                    "says": answer.text if answer else "Not answered yet",
                    "overdue": today > deadline,
                }
            )
    return _page(
        visit,
        "chair/responses.html",
        "responses",
        "Who has answered",
        rows=rows,
        late=late,
        deadline=wording.day(deadline) if deadline else None,
        state=_summary(visit)["record"],
        due=wording.day(records.record_due(conference)),
        unread=safeguarding.unread_count(visit.session, conference.id),  # what matters first
    )


def _board_headings(conference_type: str, view: str) -> list:
    if view == "hackney":
        return list(HACKNEY)
    board = list(vocabulary.board_for(conference_type))
    board.insert(2, ("What is not yet clear?", ("grey_areas",)))
    return board


@chair_page("viewed_board")
def board(visit: Visit) -> dict:
    view = visit.query.get("view") if visit.query.get("view") in VIEWS else "three"
    summary = _summary(visit)
    children = {c["key"]: c["name"] for c in summary["conference"]["children"]}
    return _page(
        visit,
        "chair/board.html",
        "board",
        "The board",
        view=view,
        views=VIEWS,
        headings=_board_headings(visit.conference.type, view),
        columns=summary["columns"],
        children=children,
        when=lambda iso: wording.said(iso, utc=True),
        columns_order=vocabulary.COLUMNS,
        error=REFUSALS.get(visit.query.get("error", "")),
        _audit={"view": view},
    )


def _items(summary: dict) -> dict:
    return {item["id"]: item for found in summary["columns"].values() for item in found}


@chair_page("viewed_item")
def item(visit: Visit):
    summary = _summary(visit)
    items = _items(summary)
    key = visit.query.get("item") or ""
    found = items.get(key)
    if found is None:
        raise web.HTTPNotFound(text="That item is not on the board. It may have been merged.")
    column = next(c for c, listed in summary["columns"].items() if found in listed)
    return _page(
        visit,
        "chair/item.html",
        "board",
        "Change an item",
        item=found,
        column=column,
        others=[other for other in items.values() if other["id"] != key],
        columns_order=vocabulary.COLUMNS,
        error=REFUSALS.get(visit.query.get("error", "")),
        _audit={"item": key},
    )


@chair_page("edited_board", mutates=True)
def edit(visit: Visit):
    form = visit.form
    kind = form.get("kind")
    column = "grey_areas" if kind == "grey_area" else form.get("column") or None
    kind = "move" if kind == "grey_area" else kind
    text = (form.get("text") or "").strip() or None
    item_id, other = form.get("item") or None, form.get("other") or None
    summary = _summary(visit)
    if kind == "merge" and text == _items(summary).get(item_id, {}).get("text"):
        text = None  # merged in the item's own words
    try:
        check_edit(summary["columns"], kind, item_id, other, column, text)
    except EditRefused as refused:
        query = {"item": item_id, "error": refused.code} if item_id else {"error": refused.code}
        where = "item" if item_id else "board"
        return redirect(
            f"/conferences/{visit.conference.id}/{where}?{urlencode(query)}",
            action="edit_refused",
            refused=refused.code,
        )
    edit = RecordEdit(
        conference_id=visit.conference.id,
        chair=visit.chair,
        kind=kind,
        item=item_id,
        other_item=other if kind == "merge" else None,
        column_key=column if kind in ("move", "add") else None,
        text=text if kind in ("reword", "merge", "add") else None,
        family_sees=form.get("family_sees") == "yes" if kind == "add" else None,
    )
    visit.session.add(edit)
    visit.session.flush()
    target = item_id or f"c{edit.id}"
    return _redirect(visit, f"board#{target}", kind=kind, item=item_id, edit=edit.id)


def _redirect(visit: Visit, where: str, **audit) -> web.Response:
    """After a change: back to a page (post, redirect, get), with the audit's detail."""
    return redirect(f"/conferences/{visit.conference.id}/{where}", **audit)


@chair_page("viewed_child_voice")
def child(visit: Visit) -> dict:
    summary = _summary(visit)
    voices, pictures = {}, {}
    for said in summary["child_voice"]:
        voices.setdefault(said["participant"], {}).setdefault(said["house"], []).append(said)
    for drawn in summary["pictures"]:  # a child who only sent a picture has a voice too
        voices.setdefault(drawn["participant"], {})
        pictures.setdefault(drawn["participant"], {}).setdefault(drawn["house"], []).append(drawn)
    return _page(
        visit,
        "chair/child.html",
        "child",
        "The child's voice",
        voices=voices,
        pictures=pictures,
        # a picture she chose to send the chair, under her houses (her words for the chair
        # are on "Said for the chair")
        houses={**HOUSE_TITLES, FOR_CHAIR: "A picture for the chair"},
        only_if_sent={FOR_CHAIR},
        share_words=SHARE_WORDS,
    )


@chair_page("viewed_picture")
def picture(visit: Visit):
    """A child's drawing, for the chair alone (never kept by a browser or a proxy)."""
    item = visit.query.get("item", "")
    found = picture_for_chair(visit.session, visit.conference.id, item)
    if found is None:
        raise web.HTTPNotFound(text="There is no such picture.")
    response = web.Response(
        body=found.image,
        content_type=found.media_type,
        headers={
            "Cache-Control": "no-store, private",
            "Content-Disposition": "inline",
            "Cross-Origin-Resource-Policy": "same-origin",
        },
    )
    response["audit"] = {"item": item}
    return response


@chair_page("viewed_scores")
def scaling(visit: Visit) -> dict:
    summary = _summary(visit)
    names = _names(visit)
    rows = {row["danger_statement"]: row for row in summary["scaling"]}
    statements = [
        {
            **statement,
            "scores": [s for s in summary["scores"] if s["danger_statement"] == statement["key"]],
            "differ": described(rows[statement["key"]], lambda item: who(item, names))
            if statement["key"] in rows
            else None,
        }
        for statement in summary["danger_statements"]
    ]
    return _page(
        visit,
        "chair/scaling.html",
        "scaling",
        "Scores",
        statements=statements,
    )


def _decision_page(visit: Visit, values: dict, typed: dict, errors: dict) -> dict:
    agenda = load_agenda()
    categories = records.category_titles(agenda)
    return _page(
        visit,
        "chair/decision.html",
        "decision",
        "The decision",
        values=values,
        typed=typed,  # each date's day, month and year, as typed or as saved
        errors={name: errors[name] for name in DECISION_FIELDS if name in errors},  # form order
        first_category=next(iter(categories), ""),
        categories=categories,
        plan_words=records.PLAN_WORDS[visit.conference.type],
        core_group_by=wording.day(
            deadlines.working_days_after(
                visit.conference.date.date(), records.CORE_GROUP_WITHIN_WORKING_DAYS
            )
        ),
    )


@chair_page("viewed_decision")
def decision(visit: Visit) -> dict:
    summary = _summary(visit)
    recorded = summary["decision"] or {"categories": []}
    typed = {
        name: records.shown_date(date.fromisoformat(recorded[name]) if recorded.get(name) else None)
        for name in records.DATE_FIELDS
    }
    return _decision_page(visit, recorded, typed, {})


@chair_page("recorded_decision", mutates=True)
def record_decision(visit: Visit):
    categories = list(records.category_titles(load_agenda()))
    checked = check_decision(visit.form, visit.conference, categories)
    if checked.errors:
        page = _decision_page(visit, checked.values, checked.typed, checked.errors)
        page["_action"] = "decision_refused"
        page["_audit"] = {"refused": sorted(checked.errors)}
        return page
    save_decision(visit.session, visit.conference, visit.chair, checked.values, visit.actor)
    return _redirect(visit, "record?saved=decision", plan=checked.values["plan"])


def _early(visit: Visit, early: dict | None) -> dict | None:
    """Why approving is, or was, early (records.too_early), as the pages say it."""
    if early is None:
        return None
    names = _names(visit)
    return {
        "date": wording.day(date.fromisoformat(early["conference_date"])),
        "days": early["days_before"],
        "unfinished": [
            {
                "who": who(person, names),
                "status": vocabulary.RESPONSE_WORDS.get(person["status"], person["status"]),
            }
            for person in early["unfinished"]
        ],
    }


@chair_page("viewed_record")
def record_page(visit: Visit) -> dict:
    summary = _summary(visit)
    state = summary["record"]
    early_versions = records.early_approvals(visit.session, visit.conference.id)
    early = None
    if state["status"] == "draft":  # why approving it now would be early, if it would
        early = records.too_early(visit.session, visit.conference, summary, records.uk_today())
    return _page(
        visit,
        "chair/record.html",
        "record",
        "Approve and export",
        state=state,
        due=wording.day(date.fromisoformat(state["due"])),
        approved=[
            {
                **version,
                "by": _names(visit).get(version["by"]),
                "at": uk_time(datetime.fromisoformat(version["at"])),
                "early": version["version"] in early_versions,
            }
            for version in state["approved"]
        ],
        formats=FORMATS,
        decision=summary["decision"],
        decided=summary["decision"] is not None,
        saved=visit.query.get("saved") == "decision",  # after the decision form (post, redirect)
        early=_early(visit, early),
        held=len(safeguarding.still_held_back(visit.session, visit.conference.id)),
        refused=visit.query.get("error", ""),
        error=APPROVE_REFUSALS.get(visit.query.get("error", "")),
    )


@chair_page("approved_record", mutates=True)
def approve(visit: Visit):
    try:
        version = records.approve(
            visit.session,
            visit.conference,
            visit.chair,
            _summary(visit),
            early_confirmed=visit.form.get("confirm") == "early",
            actor=visit.actor,
        )
    except records.ApproveRefused as refused:
        where = f"/conferences/{visit.conference.id}/record?{urlencode({'error': str(refused)})}"
        return redirect(where, action="approve_refused", refused=str(refused))
    return _redirect(visit, "record", version=version.number)


@chair_page("viewed_version")
def version(visit: Visit) -> dict:
    number = visit.query.get("number", "")
    # ASCII digits only: int() also takes "²" and "١", and 30 digits overflow the database
    if not (number.isascii() and number.isdigit() and len(number) <= 9):
        raise web.HTTPBadRequest(text="A version number is written in digits, like 1 or 2.")
    approved = records.approved_record(visit.session, visit.conference.id, int(number))
    if approved is None:
        raise web.HTTPNotFound(text="There is no approved version with that number.")
    return _page(
        visit,
        "chair/summary.html",
        "record",
        f"Version {number}, as approved",
        # who was taken off as the version itself says, not as things are since
        view=outline(approved, dict(_names(visit))),
        early=_early(visit, records.approved_early(approved)),
        _audit={"version": number},
    )


@chair_page("summary_exported")
def export(visit: Visit):
    audience = visit.query.get("audience", "chair")
    fmt = visit.query.get("format", "")
    if audience not in ("chair", "family") or fmt not in FORMATS:
        raise web.HTTPNotFound(text="There is no such export.")
    body = render(with_images(visit.session, _summary(visit, audience)), fmt, _names(visit))
    media, extension = MEDIA_TYPES[fmt]
    name = f"conference-{visit.conference.date:%Y-%m-%d}-{audience}.{extension}"
    response = web.Response(
        body=body,
        content_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
    response["audit"] = {"audience": audience, "format": fmt}
    return response


@chair_page("signed_out", mutates=True)
def sign_out(visit: Visit):
    if visit.staff:  # a staff chair signs out of every conference of theirs
        staff_members.sign_out(visit.session, visit.token)
    else:
        signin.sign_out(visit.session, visit.token)
    response = redirect("/signed-out")
    response.del_cookie(STAFF_COOKIE if visit.staff else COOKIE, path="/")
    return response
