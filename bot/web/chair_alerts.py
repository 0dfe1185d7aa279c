"""The chair's safeguarding pages: the alerts, in the order that matters (immediate danger
first, then concerns person by person, parents first), marking one as read; and the family
preview with what is held back from it, where the chair releases an answer.

Handlers take a Visit (bot/web/guard.py), like those of bot/web/chair.py, whose page
layout they share; the work itself is in bot/review/alerts.py.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import select

from bot.model.tables import Answer, SafeguardingAlert
from bot.review import alerts as review
from bot.summary.build import held_back, kept_as, newest_answers
from bot.summary.outline import HELD_BACK_WORDS, HOUSE_WORDS, check_reply_words, outline, who
from bot.web.chair import _names, _page, _redirect, _summary, uk_time
from bot.web.guard import Visit, chair_page, redirect

KIND_WORDS = {"immediate_danger": "Immediate danger", "concern": "Concern"}
RELEASE_REFUSALS = {
    "gone": "That answer is no longer held back. It may have been released already, or "
    "changed by the person who wrote it.",
}


def _who(participant, names: dict) -> str:
    """'Kelly Smith (parent or carer)', marked if she was taken off the conference."""
    if participant is None:
        return "Someone who has not joined"
    return who({"participant": participant.key, "role": participant.role}, names)


def _said_after(visit: Visit, alert: SafeguardingAlert) -> str | None:
    """What the person said next: their first answer after the alert that is not the
    alerting words themselves (those are kept as an answer too)."""
    if alert.participant_id is None:
        return None
    said = visit.session.execute(
        select(Answer)
        .where(
            Answer.participant_id == alert.participant_id,
            Answer.created_at >= alert.created_at,
        )
        .order_by(Answer.created_at, Answer.id)
        .limit(5)
    ).scalars()
    after = next(
        (a for a in said if a.id != alert.answer_id and a.text.strip() != alert.text.strip()),
        None,
    )
    return after.text if after else None


def _places(summary: dict) -> dict:
    """Item id -> the page that shows it: a child's house on their voice page, anything
    else on the board (an item merged into another is on neither by its own id)."""
    places = {item["id"]: "board" for found in summary["columns"].values() for item in found}
    places.update({said["id"]: "child" for said in summary["child_voice"]})
    return places


def _shown(visit: Visit, alert: SafeguardingAlert, names: dict, places: dict, newest) -> dict:
    item = kept_as(alert, newest)
    place = places.get(item)
    return {
        "id": alert.id,
        "kind": alert.kind,
        "kind_words": KIND_WORDS.get(alert.kind, "Concern"),
        "when": uk_time(alert.created_at),
        "who": _who(alert.participant, names),
        "text": alert.text,
        "check": check_reply_words(alert.check_reply),
        "after": _said_after(visit, alert),
        "disputed": alert.disputed_text,
        "link": f"/conferences/{visit.conference.id}/{place}#{item}" if place else None,
        "link_words": "See it on the child's voice page"
        if place == "child"
        else "See it on the board",
        "read": {"by": names.get(alert.read_by, alert.read_by), "at": uk_time(alert.read_at)}
        if alert.read_at
        else None,
    }


@chair_page("viewed_alerts")
def alerts(visit: Visit) -> dict:
    names = _names(visit)
    places = _places(_summary(visit))
    newest = newest_answers(visit.session, visit.conference.id)
    found = review.conference_alerts(visit.session, visit.conference.id)
    order = review.in_reading_order(found)

    def shown(alert):
        return _shown(visit, alert, names, places, newest)

    concerns = [
        {
            "who": _who(person, names),
            "alerts": [shown(alert) for alert in said],
            "unread": sum(1 for alert in said if alert.read_at is None),
        }
        for person, said in order.concerns
    ]
    return _page(
        visit,
        "chair/alerts.html",
        "alerts",
        "Safeguarding alerts",
        immediate=[shown(alert) for alert in order.immediate],
        concerns=concerns,
        unread=sum(1 for alert in found if alert.read_at is None),
        total=len(found),
    )


@chair_page("marked_alert_read", mutates=True)
def mark_read(visit: Visit):
    alert_id = visit.form.get("alert") or ""
    alert = review.mark_read(visit.session, visit.conference.id, visit.chair, alert_id, visit.actor)
    if alert is None:  # not one of this conference's alerts: nothing is changed
        return redirect(
            f"/conferences/{visit.conference.id}/alerts",
            action="mark_read_refused",
            alert=alert_id[:20],
        )
    return _redirect(visit, f"alerts#alert-{alert.id}", alert=alert.id)


@chair_page("previewed_family_copy")
def family(visit: Visit) -> dict:
    names = _names(visit)
    held = [
        {
            **item,
            "reason": HELD_BACK_WORDS[item["reason"]],
            "released": {
                "by": names.get(released["by"], released["by"]),
                "at": uk_time(datetime.fromisoformat(released["at"])),
            }
            if (released := item["released"])
            else None,
        }
        for item in held_back(visit.session, visit.conference.id)
    ]
    return _page(
        visit,
        "chair/summary.html",
        "record",
        "What the family will receive",
        view=outline(_summary(visit, "family"), names),
        family=True,
        held=held,
        held_pictures=[p for p in _summary(visit)["pictures"] if p["held_back"]],
        house_words=HOUSE_WORDS,
        waiting=sum(1 for item in held if not item["released"]),
        error=RELEASE_REFUSALS.get(visit.query.get("error", "")),
    )


@chair_page("released_answer", mutates=True)
def release(visit: Visit):
    item = visit.form.get("item") or ""
    try:
        answer = review.release(visit.session, visit.conference.id, visit.chair, item, visit.actor)
    except review.ReleaseRefused as refused:
        where = f"/conferences/{visit.conference.id}/family?{urlencode({'error': str(refused)})}"
        return redirect(where, action="release_refused", item=item[:20], refused=str(refused))
    return _redirect(visit, f"family#held-{item}", item=item, answer=answer.id)
