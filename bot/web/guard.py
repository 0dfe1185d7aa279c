"""Who may open a chair's page: a signed-in chair, for their own conference only, whether
signed in from their chat or as the staff chair assigned to it (bot/web/staff_guard.py
guards the staff's own pages with the same pieces).

Every page and export goes through `chair_page`, which also checks a form's CSRF token
and writes the audit event. Handlers are plain functions run in a worker thread with a
database session, so a slow query never holds up the web chat or other chairs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.model.audit import record
from bot.model.tables import Conference, Participant, Staff
from bot.review import signin
from bot.review import staff as staff_members
from bot.web.csrf import csrf_ok, csrf_token
from bot.web.keys import SETTINGS
from bot.web.transaction import in_transaction

COOKIE = "companion_chair"
STAFF_COOKIE = "companion_staff"  # a member of staff's session (bot/web/staff_guard.py)


@dataclass
class Visit:
    """What a chair's handler is given."""

    session: Session
    chair: Participant
    conference: Conference
    token: str  # the session's
    csrf: str
    query: dict
    form: dict
    staff: Staff | None = None  # the staff chair signed in, when it is not `chair` from chat

    @property
    def actor(self) -> str:
        """Who the audit log names: the member of staff, or the chair from chat."""
        return self.staff.actor if self.staff else self.chair.actor


def set_private_cookie(
    request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: int
) -> None:
    """A cookie no script can read and no other site can send; over TLS only, behind https."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=request.app[SETTINGS].public_url.startswith("https://"),
        samesite="Strict",
        path="/",
    )


def from_this_site(request: web.Request) -> bool:
    """A form posted from our own page, not from another site (login CSRF on the sign-in
    and the chat's forms, and a belt to SameSite's braces)."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    ours = {request.app[SETTINGS].public_url, f"{request.scheme}://{request.host}"}
    # "null": our pages send no referrer, and then browsers send no origin either.
    return origin in (None, "null") or origin in ours


def redirect(location: str, action: str | None = None, **audit) -> web.Response:
    """See other (post, redirect, get). The audit event's detail is `audit`; its action is
    `action` when it differs from the page's (a refusal is not recorded as a change)."""
    response = web.Response(status=303, headers={"Location": location})
    response["audit"] = audit
    response["audit_action"] = action
    return response


def refuse(request: web.Request, status: int, heading: str, text: str) -> web.Response:
    return aiohttp_jinja2.render_template(
        "chair/refused.html", request, {"heading": heading, "text": text}, status=status
    )


def chair_page(action: str, mutates: bool = False):
    """Wrap a handler `fn(visit) -> response-or-context` for the conference in the path.
    Its chair signed in from their chat, or the staff chair assigned to it, may open it."""

    def wrap(fn):
        @functools.wraps(fn)
        async def handler(request: web.Request):
            form = await read_form(request)
            token = request.cookies.get(COOKIE)
            staff_token = request.cookies.get(STAFF_COOKIE)
            conference_id = request.match_info["conference_id"]

            def work(session):
                chair = signin.signed_in_chair(session, token)
                if chair is not None and chair.conference_id == conference_id:
                    visit_token, staff = token, None
                else:
                    staff = staff_members.signed_in_staff(session, staff_token)
                    if staff is None:
                        return not_yours(request, session, chair, conference_id, action)
                    chair = _staff_chair(request, session, staff, conference_id, action)
                    if isinstance(chair, web.StreamResponse):
                        return chair
                    visit_token = staff_token
                if mutates and not form_ok(request, visit_token, form):
                    return stale_form(request)
                visit = Visit(
                    session,
                    chair,
                    chair.conference,
                    visit_token,
                    csrf_token(visit_token),
                    dict(request.query),
                    form,
                    staff,
                )
                return audited(session, visit.actor, action, conference_id, fn(visit))

            return await render_page(request, work)

        return handler

    return wrap


def not_yours(request, session: Session, chair: Participant | None, conference_id, action):
    """Signed out (401), or a chair of another conference (403)."""
    if chair is None:
        return refuse(
            request,
            401,
            "Sign in to see this page",
            "Use the sign-in link you were sent. Each link works once, for 2 days: "
            "ask for a new one in your chat (Sign-in link), or ask the "
            "conference administrator.",
        )
    record(session, chair.actor, "refused", "conference", conference_id, page=action)
    return refuse(
        request, 403, "This is not your conference", "You can only see the conferences you chair."
    )


def _staff_chair(request, session: Session, staff: Staff, conference_id: str, action: str):
    """The participant a signed-in member of staff reviews the conference as, or the
    response: coordinators manage conferences and chairs review them, so a coordinator is
    sent to the conference's invites; a chair not assigned to it is refused."""
    conference = session.get(Conference, conference_id)
    if conference is None:
        return no_conference(request)
    if staff.role == "coordinator" and request.method == "GET":
        where = f"/conferences/{conference_id}/invites"
        return audited(
            session, staff.actor, action, conference_id, redirect(where, "sent_to_invites")
        )
    if not (staff.role == "chair" and staff_members.may_see(staff, conference)):
        record(session, staff.actor, "refused", "conference", conference_id, page=action)
        return refuse(
            request,
            403,
            "This is not your conference",
            "Only the conference's chair can change its record."
            if staff.role == "coordinator"
            else "You can only see the conferences you are the chair of.",
        )
    return staff_members.chair_participant(session, conference, staff)


def no_conference(request: web.Request) -> web.Response:
    return refuse(
        request,
        404,
        "There is no such conference",
        "Check the address, or go back to the list of conferences.",
    )


async def read_form(request: web.Request, takes_files: bool = False):
    """The posted form (empty for a GET). Only a page that takes a file may be sent one."""
    posted = await request.post() if request.method == "POST" else {}
    if not takes_files and not all(isinstance(value, str) for value in posted.values()):
        raise web.HTTPBadRequest(text="These forms take words only, not files.")
    return _multi(posted) if request.method == "POST" else {}


def form_ok(request: web.Request, session_token: str, form: dict) -> bool:
    """Posted from our own page, with this session's CSRF token."""
    return from_this_site(request) and csrf_ok(session_token, form.get("csrf"))


def stale_form(request: web.Request) -> web.Response:
    return refuse(
        request,
        400,
        "Your change was not saved",
        "The form had expired. Go back, reload the page and try again.",
    )


def audited(session: Session, actor: str, action: str, conference_id, result):
    """Record the visit (a handler's "_action" and "_audit", or a response's) and pass its
    result on. A page outside any conference is recorded against "conferences"."""
    if isinstance(result, dict):
        done, detail = result.pop("_action", None), result.pop("_audit", {})
    else:
        done, detail = result.get("audit_action"), result.get("audit", {})
    record(session, actor, done or action, "conference", conference_id or "conferences", **detail)
    return result


async def render_page(request: web.Request, work):
    """Run `work(session)` in one transaction and render what it returns."""
    try:
        result = await in_transaction(request.app, work)
    except IntegrityError:  # two changes at the same moment: the second is not saved
        return refuse(
            request,
            409,
            "Your change was not saved",
            "Someone changed this record at the same moment. Reload the page and try again.",
        )
    if isinstance(result, web.StreamResponse):
        return result
    return aiohttp_jinja2.render_template(result.pop("_template"), request, result)


class _multi(dict):
    """A posted form: one value per name, and `getall` for the names that repeat."""

    def __init__(self, posted):
        super().__init__((key, posted[key]) for key in posted)
        self._all = {key: posted.getall(key) for key in posted}

    def getall(self, key, default=None):
        return self._all.get(key, default if default is not None else [])
