"""Who may open a chair's page: a signed-in chair, for their own conference only.

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
from bot.model.tables import Conference, Participant
from bot.review import signin
from bot.web.csrf import csrf_ok, csrf_token
from bot.web.keys import SETTINGS
from bot.web.transaction import in_transaction

COOKIE = "companion_chair"


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
    """Wrap a handler `fn(visit) -> response-or-context` for the conference in the path."""

    def wrap(fn):
        @functools.wraps(fn)
        async def handler(request: web.Request):
            posted = await request.post() if request.method == "POST" else {}
            if not all(isinstance(value, str) for value in posted.values()):
                raise web.HTTPBadRequest(text="These forms take words only, not files.")
            form = _multi(posted) if request.method == "POST" else {}
            token = request.cookies.get(COOKIE)
            conference_id = request.match_info["conference_id"]

            def work(session):
                chair = signin.signed_in_chair(session, token)
                if chair is None:
                    return refuse(
                        request,
                        401,
                        "Sign in to see this page",
                        "Use the sign-in link you were sent. Each link works once, for 2 days: "
                        "ask for a new one in your chat (Sign-in link), or ask the "
                        "conference administrator.",
                    )
                if chair.conference_id != conference_id:
                    record(
                        session,
                        chair.actor,
                        "refused",
                        "conference",
                        conference_id,
                        page=action,
                    )
                    return refuse(
                        request,
                        403,
                        "This is not your conference",
                        "You can only see the conferences you chair.",
                    )
                if mutates and not (from_this_site(request) and csrf_ok(token, form.get("csrf"))):
                    return refuse(
                        request,
                        400,
                        "Your change was not saved",
                        "The form had expired. Go back, reload the page and try again.",
                    )
                visit = Visit(
                    session,
                    chair,
                    chair.conference,
                    token,
                    csrf_token(token),
                    dict(request.query),
                    form,
                )
                result = fn(visit)
                if isinstance(result, dict):
                    done, detail = result.pop("_action", None), result.pop("_audit", {})
                else:
                    done, detail = result.get("audit_action"), result.get("audit", {})
                record(session, chair.actor, done or action, "conference", conference_id, **detail)
                return result

            try:
                result = await in_transaction(request.app, work)
            except IntegrityError:  # two changes at the same moment: the second is not saved
                return refuse(
                    request,
                    409,
                    "Your change was not saved",
                    "Someone changed this record at the same moment. Reload the page and try "
                    "again.",
                )
            if isinstance(result, web.StreamResponse):
                return result
            return aiohttp_jinja2.render_template(result.pop("_template"), request, result)

        return handler

    return wrap


class _multi(dict):
    """A posted form: one value per name, and `getall` for the names that repeat."""

    def __init__(self, posted):
        super().__init__((key, posted[key]) for key in posted)
        self._all = {key: posted.getall(key) for key in posted}

    def getall(self, key, default=None):
        return self._all.get(key, default if default is not None else [])
