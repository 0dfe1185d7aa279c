"""The staff's list of conferences, and signing out.

A coordinator sees every conference and goes from each to its invites; a chair sees the
conferences assigned to them and goes to their review. Upcoming conferences come first,
soonest first, then those that have taken place, latest first.
"""

from __future__ import annotations

from bot import vocabulary, wording
from bot.agenda.loader import load_agenda
from bot.model.tables import Conference
from bot.review import alerts as safeguarding
from bot.review import staff as staff_members
from bot.review.record import uk_today
from bot.review.statuses import reports_not_shared
from bot.web.guard import STAFF_COOKIE, redirect
from bot.web.staff_guard import StaffVisit, staff_page


@staff_page("viewed_conferences")
def conference_list(visit: StaffVisit) -> dict:
    agenda, today = load_agenda(), uk_today()
    found = sorted(staff_members.conferences_for(visit.session, visit.staff), key=lambda c: c.date)
    rows = {
        conference.id: _row(visit, conference, agenda.report_deadline(conference), today)
        for conference in found
    }
    upcoming = [rows[c.id] for c in found if staff_members.still_to_come(c)]
    past = [rows[c.id] for c in reversed(found) if not staff_members.still_to_come(c)]
    return {
        "_template": "staff/conferences.html",
        "title": "Conferences",
        "staff": visit.staff,
        "coordinator": visit.staff.role == "coordinator",
        "csrf": visit.csrf,
        "upcoming": upcoming,
        "past": past,
        "_audit": {"shown": len(rows)},
    }


def _row(visit: StaffVisit, conference: Conference, deadline, today) -> dict:
    """One conference as the list shows it."""
    answering = [p for p in conference.participants if p.role in vocabulary.ANSWERING_ROLES]
    still_on = [p for p in answering if p.removed_at is None]
    # Someone taken off the conference is not waited for; answers they sent before still count.
    asked = [p for p in answering if p.removed_at is None or p.response_status == "submitted"]
    late = len(reports_not_shared(visit.session, still_on)) if deadline and today > deadline else 0
    coordinator = visit.staff.role == "coordinator"
    return {
        "id": conference.id,
        "date": wording.conference_date(conference.date),
        "type": conference.type.capitalize(),
        "children": ", ".join(f"{c.name} ({c.age})" for c in conference.children),
        "answered": sum(p.response_status == "submitted" for p in asked),  # answers sent
        "asked": len(asked),
        "taken_off": len(answering) - len(still_on),
        "unread": safeguarding.unread_count(visit.session, conference.id),
        "late": late,
        "chair": conference.chair_staff.name if conference.chair_staff else None,
        "link": f"/conferences/{conference.id}" + ("/invites" if coordinator else ""),
    }


@staff_page("signed_out", mutates=True)
def sign_out(visit: StaffVisit):
    staff_members.sign_out(visit.session, visit.token)
    response = redirect("/signed-out")
    response.del_cookie(STAFF_COOKIE, path="/")
    return response
