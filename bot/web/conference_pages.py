"""The coordinator's pages that set a conference up: a new one on a form, one from the same
YAML file `companion conference import` takes, and changes until the conference's day.

Each is for coordinators only (bot/web/staff_guard.py), audited, and written in one
transaction: a refused form or file writes nothing and comes back with what was typed.
After a conference is made, the coordinator goes on to its invites.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aiohttp.web import FileField
from sqlalchemy import select

from bot import vocabulary
from bot.conference_file import ConferenceFileError, Problem, parse_conference
from bot.model.audit import record
from bot.model.conferences import (
    ConferenceChangeRefused,
    create_conference,
    has_answered,
    made_once,
    one_creation_at_a_time,
    scores_given,
    update_conference,
)
from bot.model.tables import Conference, Participant, Staff
from bot.review.staff import assign_chair_by_email
from bot.web.conference_form import (
    CHANNEL_WORDS,
    FORM_ROLES,
    MOST_ROWS,
    ROW_KINDS,
    ConferenceForm,
    add_row,
    blank_form,
    chair_participant,
    date_passed,
    form_from_conference,
    put_problems,
    read_form,
    uk_now,
    uk_when,
)
from bot.web.guard import redirect
from bot.web.staff_guard import StaffVisit, staff_page

# Longer than any conference file needs; the app's body limit stops far bigger ones.
LONGEST_FILE = 200_000


def staff_chairs(session) -> list[Staff]:
    """Who may be chosen as the chair: staff chairs still with the council, by name."""
    found = session.execute(
        select(Staff).where(Staff.role == "chair", Staff.removed_at.is_(None))
    ).scalars()
    return sorted(found, key=lambda staff: staff.name.lower())


def once_token(session_token: str) -> str:
    """A one-time token for a page that makes a conference, made when the page is shown
    and bound to the staff session like the CSRF token. The same form sent twice (a double
    click, a resent POST, the browser's back and resend) carries the same token, and the
    second finds the conference the first made (made_once) instead of making another."""
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_seal(session_token, nonce)}"


def _seal(session_token: str, nonce: str) -> str:
    return hmac.new(session_token.encode(), f"once:{nonce}".encode(), hashlib.sha256).hexdigest()


def posted_once(visit: StaffVisit) -> str | None:
    """The hash of the form's one-time token (what the audit keeps), or None if the form
    has none made for this session."""
    given = visit.form.get("once")
    nonce, _, seal = given.partition(".") if isinstance(given, str) else ("", "", "")
    if not nonce or not hmac.compare_digest(_seal(visit.token, nonce), seal):
        return None
    return hashlib.sha256(given.encode()).hexdigest()


def _already_made(visit: StaffVisit, once: str):
    """The conference this form already made, as the first sending's answer was: on to
    its invites. None when the form has made nothing yet."""
    one_creation_at_a_time(visit.session)
    conference = made_once(visit.session, once)
    if conference is None:
        return None
    return redirect(
        f"/conferences/{conference.id}/invites",
        "conference_sent_again",
        conference=conference.id,
    )


@staff_page("viewed_new_conference", coordinator_only=True)
def new_conference(visit: StaffVisit) -> dict:
    return _form_page(visit, blank_form())


@staff_page("created_conference", mutates=True, coordinator_only=True)
def create(visit: StaffVisit):
    form = read_form(visit.form, staff_chairs(visit.session))
    if visit.form.get("add"):  # "Add another ...": the same form, one row more
        return _another_row(visit, form)
    once = posted_once(visit)
    if once is None:  # no token of this session: shown again with one, nothing lost
        form.errors["save"] = (
            "This form was not saved: it is out of date. Check it and press 'Set up the "
            "conference' again"
        )
        return _refused(visit, form)
    if already := _already_made(visit, once):
        return already
    if form.errors:
        return _refused(visit, form)
    conference, _ = create_conference(visit.session, form.spec, visit.actor, once=once)
    _assign_chair(visit, conference, form.chair)
    return redirect(f"/conferences/{conference.id}/invites", conference=conference.id)


@staff_page("viewed_conference_form", coordinator_only=True)
def edit_page(visit: StaffVisit) -> dict:
    conference = visit.conference
    if date_passed(conference.date):
        return _closed(visit)
    page = _form_page(visit, form_from_conference(conference))
    page["done"] = _what_was_done(visit)
    return page


@staff_page("changed_conference", mutates=True, coordinator_only=True)
def edit(visit: StaffVisit):
    conference = visit.conference
    if date_passed(conference.date):
        return _closed(visit)
    form = read_form(visit.form, staff_chairs(visit.session), conference)
    if visit.form.get("add"):
        return _another_row(visit, form)
    if form.errors:
        return _refused(visit, form)
    try:
        change = update_conference(
            visit.session, conference, form.spec, visit.actor, take_off=form.take_off
        )
    except ConferenceChangeRefused as refused:
        put_problems(form, refused.problems)
        return _refused(visit, form)
    _assign_chair(visit, conference, form.chair)
    done = {
        "saved": "yes",
        "added": ",".join(change.invited),
        "removed": ",".join(p.key for p in change.removed),
    }
    query = "&".join(f"{name}={value}" for name, value in done.items() if value)
    return redirect(f"/conferences/{conference.id}/edit?{query}", **done)


@staff_page("viewed_import", coordinator_only=True)
def import_page(visit: StaffVisit) -> dict:
    return _import_page(visit, "", [])


@staff_page("imported_conference", mutates=True, coordinator_only=True, takes_files=True)
def import_file(visit: StaffVisit):
    text, name, problems = _posted_file(visit.form)
    once = posted_once(visit)
    if once is None:
        problems = [Problem(None, "file", "This page is out of date: import the file again")]
    elif already := _already_made(visit, once):
        return already
    if not problems:
        try:
            spec = parse_conference(text, name)
        except ConferenceFileError as error:
            problems = error.problems
        else:
            if passed := date_passed(spec.date):
                problems = [Problem(None, "conference.date", passed)]
    if problems:
        page = _import_page(visit, text, problems)
        page["_action"], page["_audit"] = "import_refused", {"problems": len(problems)}
        return page
    conference, _ = create_conference(visit.session, spec, visit.actor, once=once)
    _assign_chair(visit, conference, None)
    return redirect(f"/conferences/{conference.id}/invites", conference=conference.id)


def _posted_file(form) -> tuple[str, str, list[Problem]]:
    """The conference file's text: the file chosen, or the text pasted (not both)."""
    pasted = form.get("text") if isinstance(form.get("text"), str) else ""
    chosen = form.get("file")
    if not isinstance(chosen, FileField) or not chosen.filename:
        if not pasted.strip():
            return pasted, "", [Problem(None, "file", "Choose a conference file or paste its text")]
        return pasted, "the text", []
    if pasted.strip():
        return pasted, "", [Problem(None, "file", "Choose a file or paste the text, not both")]
    content = chosen.file.read(LONGEST_FILE + 1)
    if len(content) > LONGEST_FILE:
        return "", "", [Problem(None, "file", "The file is too big to be a conference file")]
    try:
        return content.decode("utf-8-sig"), chosen.filename, []
    except UnicodeDecodeError:
        return "", "", [Problem(None, "file", "The file could not be read: choose a YAML file")]


def _assign_chair(visit: StaffVisit, conference: Conference, chosen: Staff | None) -> None:
    """The chair chosen on the form; otherwise the staff chair whose email is the chair
    participant's, as for an imported file."""
    if chosen is not None and conference.chair_staff_id != chosen.id:
        conference.chair_staff = chosen
        record(
            visit.session,
            visit.actor,
            "chair_assigned",
            "conference",
            conference.id,
            staff=chosen.id,
            by="coordinator",
        )
    elif chosen is None:
        assign_chair_by_email(visit.session, conference, visit.actor)


def _form_page(visit: StaffVisit, form: ConferenceForm, errors: dict | None = None) -> dict:
    conference = visit.conference
    chairs = staff_chairs(visit.session)
    children = [
        (key, form.values.get(f"child-{key}-name") or f"Child {number}")
        for number, key in enumerate(form.rows["child"], 1)
    ]
    return {
        "_template": "coordinator/conference_form.html",
        "title": "Change the conference" if conference else "Set up a conference",
        "staff": visit.staff,
        "csrf": visit.csrf,
        "conference": conference,
        "action": f"/conferences/{conference.id}/edit" if conference else "/conferences/new",
        "values": form.values,
        "rows": form.rows,
        "errors": errors or {},
        "children": children,
        "chairs": [(str(staff.id), staff.name) for staff in chairs],
        "chair_unchosen": _chair_unchosen(conference, chairs),
        "roles": {role: vocabulary.ROLE_TITLES[role] for role in FORM_ROLES},
        "channels": CHANNEL_WORDS,
        "full": {kind: len(form.rows[kind]) >= MOST_ROWS[kind] for kind in ROW_KINDS},
        "removed": _taken_off(visit, conference),
        "scored": {
            statement.key: scores_given(visit.session, statement)
            for statement in (conference.danger_statements if conference else [])
        },
        "chair_participant": chair_participant(conference),
        # a new conference's one-time token: the one posted, if it is this session's
        "once": None if conference else _once_to_show(visit),
    }


def _chair_unchosen(conference: Conference | None, chairs: list[Staff]) -> str | None:
    """The chair list's empty choice. A conference that has a staff chair keeps them until
    another is chosen (the form says so), so "Not chosen yet" is not offered for it: only
    a way to keep a chair who is no longer listed (taken off the staff, say)."""
    current = conference.chair_staff if conference else None
    if current is None:
        return "Not chosen yet"
    if any(staff.id == current.id for staff in chairs):
        return None
    return f"Keep {current.name} (no longer listed as a chair)"


def _another_row(visit: StaffVisit, form: ConferenceForm) -> dict:
    add_row(form, visit.form.get("add"), visit.conference)
    page = _form_page(visit, form)
    page["_action"], page["_audit"] = "conference_form_row_added", {"kind": visit.form.get("add")}
    return page


def _refused(visit: StaffVisit, form: ConferenceForm) -> dict:
    page = _form_page(visit, form, form.errors)
    page["_action"] = "conference_refused"
    page["_audit"] = {"fields": list(form.errors)}
    return page


def _closed(visit: StaffVisit) -> dict:
    conference = visit.conference
    return {
        "_template": "coordinator/conference_closed.html",
        "title": "This conference can no longer be changed",
        "staff": visit.staff,
        "csrf": visit.csrf,
        "conference": conference,
        "when": uk_when(conference.date),
        "_action": "conference_form_closed",
    }


def _taken_off(visit: StaffVisit, conference: Conference | None) -> list[dict]:
    if conference is None:
        return []
    return [
        {"person": person, "answered": has_answered(visit.session, person)}
        for person in conference.participants
        if person.removed_at is not None
    ]


def _what_was_done(visit: StaffVisit) -> dict | None:
    """What the last change did, for the banner after it was saved."""
    if visit.query.get("saved") != "yes":
        return None
    people = {person.key: person for person in visit.conference.participants}

    def named(name) -> list[Participant]:
        keys = [key for key in visit.query.get(name, "").split(",") if key in people]
        return [people[key] for key in keys]

    removed = named("removed")
    return {
        "added": named("added"),
        "removed": [p for p in removed if not has_answered(visit.session, p)],
        "removed_after_answering": [p for p in removed if has_answered(visit.session, p)],
    }


def _once_to_show(visit: StaffVisit) -> str:
    """The form's token again when it is shown back (a row added, a mistake), so that a
    second sending still finds the first; a new one on a blank form or a stale one."""
    return visit.form.get("once") if posted_once(visit) else once_token(visit.token)


def _import_page(visit: StaffVisit, text: str, problems: list[Problem]) -> dict:
    return {
        "once": _once_to_show(visit),
        "_template": "coordinator/import.html",
        "title": "Import a conference file",
        "staff": visit.staff,
        "csrf": visit.csrf,
        "text": text,
        "problems": [str(problem) for problem in problems],
        "errors": {"text": "The conference file was not imported"} if problems else {},
        "now": uk_now(),
    }
