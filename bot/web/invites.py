"""The coordinator's page for one conference's invites, and the letters to print.

Everyone asked for their views, with how each invite goes and where it stands; one form
sends every invite not yet sent; each person's invite can be sent again, revoked (the code
stops working) or reissued (a new code; the old one stops). A letter holds the web chat
link, the code to type and a QR code of the link, drawn here (segno), nothing fetched.
"""

from __future__ import annotations

import functools

import segno
from aiohttp import web
from markupsafe import Markup
from sqlalchemy import select

from bot import vocabulary, wording
from bot.links import invite_links
from bot.model.audit import record
from bot.model.invites import live_invite, reissue_invite, revoke_invites
from bot.model.tables import Outreach, Participant, utcnow
from bot.notify.invites import contact_status, contacts, invite_status, queue_invites
from bot.notify.outreach_words import INVITE_STATUS, REASONS
from bot.review.statuses import answering_statuses
from bot.web.conference_form import CHANNEL_WORDS, date_passed
from bot.web.guard import redirect, refuse
from bot.web.keys import SETTINGS
from bot.web.staff_guard import StaffVisit, staff_page

# What the page says after a change, from the redirect's query: counts and what was done,
# never a name (an address may reach a log).
DONE_KEYS = ("did", "messages", "letters", "started", "no_code", "revoked")
# A contact's INVITE_STATUS keys once something went to it: only then is "Send again" offered.
WENT = ("sent", "delivered", "failed", "printed")
# One person's invite: what each button does, and how it is recorded.
CHANGES = {"resend": "invite_resent", "revoke": "invite_revoked", "reissue": "invite_reissued"}


def coordinator_page(action: str, mutates: bool = False):
    """A coordinator's page (bot/web/staff_guard.py's staff_page) whose handler
    `fn(visit, request, person)` is also given the request (for the app's settings) and the
    participant named by {participant_key} in the path, if the path names one."""

    def wrap(fn):
        @functools.wraps(fn)
        async def handler(request: web.Request):
            key = request.match_info.get("participant_key")

            @staff_page(action, mutates=mutates, coordinator_only=True)
            def page(visit: StaffVisit):
                if key is None:
                    return fn(visit, request, None)
                person = next((p for p in visit.conference.participants if p.key == key), None)
                if person is None or person.role not in vocabulary.ANSWERING_ROLES:
                    return refuse(
                        request,
                        404,
                        "There is no such person in this conference",
                        "Go back to the invites and choose someone from the list.",
                    )
                return fn(visit, request, person)

            return await page(request)

        return handler

    return wrap


def masked(channel: str, recipient: str | None) -> str:
    """Enough of a contact to recognise it, not to copy it off a screen."""
    if channel == "email":
        name, _, domain = recipient.partition("@")
        return f"email {name[:2]}…@{domain}"
    return f"mobile ending {''.join(c for c in recipient if c.isdigit())[-3:]}"


def _invitations(visit: StaffVisit) -> list[dict]:
    """Each person asked for their views (parents first), with their invite's state."""
    people = [p for p in visit.conference.participants if p.role in vocabulary.ANSWERING_ROLES]
    people.sort(key=lambda p: (vocabulary.ROLES.index(p.role), p.position))
    progress = answering_statuses(visit.session, people)
    rows = []
    for person in people:
        invite = live_invite(person)
        outreach = []
        if invite is not None:
            outreach = visit.session.execute(
                select(Outreach)
                .where(Outreach.invite_id == invite.id, Outreach.status != "revoked")
                .order_by(Outreach.id)
            ).scalars().all()  # fmt: skip
        status = invite_status(person, progress[person.id][1], outreach)
        sent = [contact_status(row) for row in outreach if row.kind == "invite"]
        for contact in sent:
            if contact.channel != "letter":
                contact.recipient = masked(contact.channel, contact.recipient)
        rows.append(
            {
                "key": person.key,
                "name": person.name,
                "role": vocabulary.ROLE_TITLES[person.role],
                "agency": person.agency,
                "channel": CHANNEL_WORDS.get(person.channel, "Not said"),
                "ways": [
                    "a letter" if channel == "letter" else masked(channel, to)
                    for channel, to in contacts(person)
                ],
                "sent": sent,
                "went": any(contact.status in WENT for contact in sent),
                "status": status,
                "status_words": INVITE_STATUS[status],
                "removed": person.removed_at is not None,
                "live": invite is not None,
            }
        )
    return rows


@coordinator_page("invites_viewed")
def invites_page(visit: StaffVisit, request: web.Request, _person):
    settings = request.app[SETTINGS]
    missing = [name for name in TEMPLATE_SETTINGS if not getattr(settings, name.lower())]
    return {
        "_template": "coordinator/invites.html",
        "title": "Invites",
        "staff": visit.staff,
        "csrf": visit.csrf,
        "conference": visit.conference,
        "when": wording.conference_date(visit.conference.date),
        "rows": _invitations(visit),
        "done": _what_was_done(visit.query),
        "notify_ready": bool(settings.notify_api_key),
        "missing_templates": missing,
        # Once it has begun nobody is asked for views: Send, Send again and New code go.
        "held": date_passed(visit.conference.date) is not None,
    }


def _what_was_done(query: dict) -> dict:
    """The redirect's query, as the page says it: only what a change of ours can put there
    (a link made elsewhere cannot put its own words in the banner)."""
    done = {key: query[key] for key in DONE_KEYS[1:] if query.get(key, "").isdigit()}
    if query.get("did") in (*CHANGES, "sent", "printed"):
        done["did"] = query["did"]
    return done


TEMPLATE_SETTINGS = (
    "NOTIFY_INVITE_EMAIL_TEMPLATE_ID",
    "NOTIFY_INVITE_SMS_TEMPLATE_ID",
    "NOTIFY_REMINDER_EMAIL_TEMPLATE_ID",
    "NOTIFY_REMINDER_SMS_TEMPLATE_ID",
)


@coordinator_page("invites_sent", mutates=True)
def send_invites(visit: StaffVisit, request, _person):
    """The one form: every invite not yet sent."""
    if date_passed(visit.conference.date):
        return _too_late(visit, request)
    return _done(visit, "sent", queue_invites(visit.session, visit.conference, visit.actor))


def _too_late(visit: StaffVisit, request: web.Request) -> web.Response:
    """Nobody is asked for their views once the conference has begun: refused, audited."""
    response = refuse(
        request,
        409,
        "The conference has already taken place",
        f"It was on {wording.conference_date(visit.conference.date)}, so no invite was sent. "
        "You can still revoke a code from the invites page.",
    )
    response["audit_action"] = "invites_refused_conference_held"
    return response


@coordinator_page("invite_changed", mutates=True)
def change_invite(visit: StaffVisit, request, person: Participant):
    """Send one person's invite again, revoke it, or reissue it with a new code."""
    what = visit.form.get("do")
    if what not in CHANGES or person.removed_at is not None:
        return redirect(f"/conferences/{visit.conference.id}/invites", action="refused")
    if what == "revoke":
        revoke_invites(visit.session, person, visit.actor)
        return _done(visit, what, None, CHANGES[what], participant=person.key)
    if date_passed(visit.conference.date):
        return _too_late(visit, request)
    if what == "reissue":
        reissue_invite(visit.session, person, visit.actor)
    queued = queue_invites(visit.session, visit.conference, visit.actor, person)
    return _done(visit, what, queued, CHANGES[what], participant=person.key)


def _done(visit: StaffVisit, did: str, queued, action: str | None = None, **audit):
    """Back to the page (post, redirect, get), which says what was done."""
    counts = {}
    if queued is not None:
        counts = {
            "messages": queued.messages,
            "letters": queued.letters,
            "started": len(queued.started),
            "no_code": len(queued.no_code),
            "revoked": len(queued.revoked),
        }
    query = "".join(f"&{key}={value}" for key, value in counts.items() if value)
    location = f"/conferences/{visit.conference.id}/invites?did={did}{query}"
    return redirect(location, action, **audit, **counts)


def qr_svg(link: str) -> Markup:
    """The link as a QR code: an inline SVG sized in millimetres for paper."""
    svg = segno.make(link, error="m").svg_inline(
        scale=1, unit="mm", border=4, title="QR code of the chat link"
    )
    return Markup(svg)  # made here from a link we made, never from anyone's words


@coordinator_page("letter_viewed")
def letter(visit: StaffVisit, request: web.Request, person: Participant):
    settings = request.app[SETTINGS]
    invite = live_invite(person)
    code = invite.code if invite is not None else None
    links = invite_links(settings, code) if code else {}
    return {
        "_template": "coordinator/letter.html",
        "title": f"Letter for {person.name}",
        "staff": visit.staff,
        "csrf": visit.csrf,
        "conference": visit.conference,
        "person": person,
        "when": wording.conference_date(visit.conference.date),
        "reason": REASONS["invite"],
        "code": code,
        "chat_address": f"{settings.public_url}/chat",
        "web_link": links.get("web_link"),
        "telegram_link": links.get("telegram_link"),
        "qr": qr_svg(links["web_link"]) if code else None,
        "young": person.role == "young_person",
        "_audit": {"participant": person.key},
    }


@coordinator_page("letter_printed", mutates=True)
def letter_printed(visit: StaffVisit, _request, person: Participant):
    """The coordinator printed the letter: recorded as sent, like an email or a text."""
    invite = live_invite(person)
    if invite is None or invite.code is None:
        return redirect(f"/conferences/{visit.conference.id}/invites", action="refused")
    waiting = visit.session.execute(
        select(Outreach).where(
            Outreach.invite_id == invite.id,
            Outreach.channel == "letter",
            Outreach.status == "pending",
        )
    ).scalars().first()  # fmt: skip
    if waiting is None:
        waiting = Outreach(
            participant=person,
            invite=invite,
            kind="invite",
            reason="invite",
            channel="letter",
            created_by=visit.actor,
        )
        visit.session.add(waiting)
    waiting.status = "sent"
    waiting.sent_at = utcnow()
    visit.session.flush()
    record(visit.session, visit.actor, "letter_printed", "outreach", waiting.id)
    return redirect(
        f"/conferences/{visit.conference.id}/invites?did=printed",
        participant=person.key,
    )
