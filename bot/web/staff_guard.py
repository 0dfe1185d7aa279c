"""Who may open the staff's pages: a signed-in coordinator, every conference; a signed-in
staff chair, the conferences assigned to them (and no coordinator's page).

`staff_page` is to the staff's pages what bot/web/guard.py's `chair_page` is to the
chair's, built of the same pieces: a handler `fn(visit)` returns a template's context
(with "_template", and optionally "_action" and "_audit") or a response; a form that
changes something is checked for its CSRF token; every visit is audited, naming the
member of staff.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.orm import Session

from bot.model.audit import record
from bot.model.tables import Conference, Staff
from bot.review import staff as staff_members
from bot.web.csrf import csrf_token
from bot.web.guard import (
    STAFF_COOKIE,
    audited,
    form_ok,
    no_conference,
    read_form,
    refuse,
    render_page,
    stale_form,
)

__all__ = ["STAFF_COOKIE", "StaffVisit", "staff_page"]


@dataclass
class StaffVisit:
    """What a staff page's handler is given."""

    session: Session
    staff: Staff
    token: str  # the session's
    csrf: str
    query: dict
    form: dict  # one value per name; `form.getall(name)` for the names that repeat
    conference: Conference | None  # the one named by {conference_id} in the path, if any

    @property
    def actor(self) -> str:
        return self.staff.actor


def staff_page(
    action: str, mutates: bool = False, coordinator_only: bool = False, takes_files: bool = False
):
    """Wrap a handler `fn(visit: StaffVisit) -> response-or-context`. `takes_files`: the
    form may carry a file (a conference file to import); other pages refuse one."""

    def wrap(fn):
        @functools.wraps(fn)
        async def handler(request: web.Request):
            form = await read_form(request, takes_files)
            token = request.cookies.get(STAFF_COOKIE)
            conference_id = request.match_info.get("conference_id")

            def work(session):
                staff = staff_members.signed_in_staff(session, token)
                if staff is None:
                    return signed_out(request)
                conference = None
                if conference_id is not None:
                    conference = session.get(Conference, conference_id)
                    if conference is None:
                        return no_conference(request)
                allowed = staff.role == "coordinator" or not coordinator_only
                if not allowed or (conference and not staff_members.may_see(staff, conference)):
                    record(
                        session,
                        staff.actor,
                        "refused",
                        "conference",
                        conference_id or "conferences",
                        page=action,
                    )
                    return refuse(
                        request,
                        403,
                        "You cannot open this page",
                        "You can only see the conferences you are the chair of."
                        if allowed
                        else "Only a conference coordinator can open this page.",
                    )
                if mutates and not form_ok(request, token, form):
                    return stale_form(request)
                visit = StaffVisit(
                    session,
                    staff,
                    token,
                    csrf_token(token),
                    dict(request.query),
                    form,
                    conference,
                )
                return audited(session, staff.actor, action, conference_id, fn(visit))

            return await render_page(request, work)

        return handler

    return wrap


def signed_out(request: web.Request) -> web.Response:
    return refuse(
        request,
        401,
        "Sign in to see this page",
        "Use the sign-in link you were sent by email. Each link works once, for 2 days: "
        "ask a conference coordinator for a new one.",
    )
