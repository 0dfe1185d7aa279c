"""The decision and approving the record, as the chair meets them: a mistyped date is named
and kept as typed, a saved decision says so, and approving early (before the conference,
or before everyone has sent their answers) says who and why and needs a second yes.

The Reid review conference of tests/test_chair_pages.py (Wednesday 10 March 2027), through
the real app over HTTP with a real database, signed in by a single-use link.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from bot.model.tables import AuditEvent, Conference, Progress
from bot.review.record import uk_today
from bot.wording import day
from tests import test_chair_pages as pages
from tests.test_chair_pages import EARLY, GOOD_DECISION, _people, decision_with

# The Reid conference and its signed-in chair, as tests/test_chair_pages.py makes them.
env, settings, client = pages.env, pages.settings, pages.client
conference, chair = pages.conference, pages.chair

DATES = {
    "core_group_date": "the first core group meeting",
    "next_review_date": "the next review conference",
}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def typed(html: str, name: str) -> str:
    return unescape(re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1))


def error_summary(html: str) -> list[tuple[str, str]]:
    """(link target, words) of each line of the GOV.UK error summary."""
    summary = re.search(r'class="govuk-error-summary".*?</div></div>', html, re.S).group(0)
    return [
        (href, text_of(words).strip())
        for href, words in re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary)
    ]


def field_errors(html: str) -> dict[str, str]:
    """Field name -> the error message shown beside it."""
    found = re.findall(r'class="govuk-error-message" id="([^"]+)-error">(.*?)</p>', html, re.S)
    return {name: text_of(words).replace("Error:", "").strip() for name, words in found}


# ---------------------------------------------------------------------------------------------
# The decision's dates
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", list(DATES))
@pytest.mark.parametrize(
    "day_box, month_box, year_box, shown",
    [
        pytest.param("31", "2", "2027", ("31", "2", "2027"), id="31-february"),
        pytest.param("15", "13", "27", ("15", "13", "27"), id="month-13-short-year"),
        pytest.param("31/2/2027", "", "", ("31", "2", "2027"), id="whole-date-in-the-day-box"),
    ],
)
async def test_a_bad_date_names_its_field_once_and_keeps_what_was_typed(
    chair, field, day_box, month_box, year_box, shown
):
    form = decision_with(
        **{f"{field}-day": day_box, f"{field}-month": month_box, f"{field}-year": year_box}
    )
    response = await chair.post("/decision", form)
    html = await response.text()
    assert response.status == 200
    message = f"Enter a real date for {DATES[field]}"
    summary = error_summary(html)
    assert len(summary) == 1 and summary[0][0] == f"{field}-day"
    assert summary[0][1].startswith(message) and summary[0][1].endswith("for example 27 3 2027")
    assert field_errors(html) == {field: summary[0][1]}  # beside the field, the same words
    assert text_of(html).count(message) == 2  # in the summary and beside the field, once each
    assert 'id="' + f'{field}-day"' in html
    assert tuple(typed(html, f"{field}-{part}") for part in ("day", "month", "year")) == shown
    other = next(name for name in DATES if name != field)  # the good date is kept too
    good = dict(GOOD_DECISION)
    assert typed(html, f"{other}-day") == good[f"{other}-day"]
    assert (await chair.summary())["decision"] is None


async def test_two_bad_dates_are_told_apart_in_the_forms_order(chair):
    form = decision_with(
        **{
            "core_group_date-day": "31",
            "core_group_date-month": "2",
            "next_review_date-month": "13",
            "rationale": "",
        }
    )
    html = await (await chair.post("/decision", form)).text()
    summary = error_summary(html)
    assert [href for href, _ in summary] == [
        "core_group_date-day",
        "next_review_date-day",
        "rationale",
    ]
    assert "first core group meeting" in summary[0][1] and "next review conference" in summary[1][1]
    assert typed(html, "next_review_date-month") == "13"


async def test_a_saved_decision_says_so_after_the_redirect(chair):
    response = await chair.post("/decision", GOOD_DECISION)
    assert response.status == 303
    where = response.headers["Location"]
    assert where.endswith("/record?saved=decision")
    html = await chair.page("/" + where.split("/", 3)[3])
    banner = re.search(
        r'class="govuk-notification-banner govuk-notification-banner--success".*?</div>\s*</div>',
        html,
        re.S,
    )
    assert banner and "The decision is saved" in banner.group(0)
    assert "The child protection plan continues." in text_of(banner.group(0))
    assert "The decision is saved" not in await chair.page("/record")  # said once, not forever
    # the saved dates come back in their boxes
    again = await chair.page("/decision")
    assert (
        typed(again, "core_group_date-day") == "9" and typed(again, "next_review_date-month") == "9"
    )


# ---------------------------------------------------------------------------------------------
# Approving
# ---------------------------------------------------------------------------------------------


def days_to_go() -> int:
    return (date(2027, 3, 10) - uk_today()).days


async def test_approving_early_says_who_and_why_and_needs_a_second_yes(chair, database, conference):
    """Grace is still typing, Ben typed stop, Kim has not started; the conference is to come."""
    with database.session() as session, session.begin():
        session.add(Progress(participant=_people(session, conference)["P4"], state="stopped"))
    assert (await chair.post("/decision", GOOD_DECISION)).status == 303
    page = text_of(await chair.page("/record"))
    assert f"The conference is on Wednesday 10 March 2027, in {days_to_go()} days." in page
    assert "3 people have not sent their answers yet:" in page
    unfinished = [
        "Grace Reid (family or network member): in progress",
        "Ben Hart (professional): stopped",
        "Kim Osei (professional): not started",
    ]
    positions = [page.index(line) for line in unfinished]
    assert positions == sorted(positions)  # family first, as everywhere
    assert "I still want to approve the record now" in page

    refused = await chair.post("/approve", {})  # the button alone
    assert refused.status == 303
    assert (await chair.summary())["record"]["approved"] == []
    again = await chair.page("/" + refused.headers["Location"].split("/", 3)[3])
    assert "The record is not approved. It is early" in text_of(again)
    assert error_summary(again) == [
        ("confirm-early", "Tick the box if you still want to approve it now")
    ]
    assert "Kim Osei (professional): not started" in text_of(again)

    assert (await chair.post("/approve", EARLY)).status == 303
    summary = await chair.summary()
    assert summary["conference"]["status"] == "approved" and summary["record"]["version"] == 1
    version = text_of(await chair.page("/version?number=1"))
    assert "This version was approved early." in version
    assert (
        f"It was approved {days_to_go()} days before the conference on Wednesday 10 March 2027."
        in version
    )
    assert "Kim Osei (professional): not started" in version
    record = text_of(await chair.page("/record"))
    assert re.search(r"Version 1 , approved by Rosa Quinn, .* \(approved early\)", record)
    with database.session() as session:
        event = session.execute(
            select(AuditEvent).where(AuditEvent.action == "record_approved")
        ).scalar_one()
        assert event.detail["early"]["days_before"] == days_to_go()
        assert [p["participant"] for p in event.detail["early"]["unfinished"]] == ["P6", "P4", "P7"]


async def everyone_sent_and_decided(chair, database, conference_id, held: date):
    """The conference moved to `held`, everyone invited has sent their answers, and the
    decision is recorded (the core group a week after the conference)."""
    with database.session() as session, session.begin():
        found = session.get(Conference, conference_id)
        found.date = datetime.combine(held, found.date.time())
        for person in _people(session, conference_id).values():
            if person.role != "chair":
                person.response_status = "submitted"
    core = held + timedelta(days=7)
    dates = {"day": core.day, "month": core.month, "year": core.year}
    form = decision_with(**{f"core_group_date-{part}": str(n) for part, n in dates.items()})
    assert (await chair.post("/decision", form)).status == 303


async def test_approving_after_the_day_with_everyone_finished_is_one_step(
    chair, database, conference
):
    """The conference was yesterday and everyone invited has sent their answers: the button
    alone approves, and the version says nothing of being early."""
    await everyone_sent_and_decided(chair, database, conference, uk_today() - timedelta(days=1))
    page = text_of(await chair.page("/record"))
    assert "It is early to approve" not in page and "I still want to approve" not in page
    assert (await chair.post("/approve", {})).status == 303
    summary = await chair.summary()
    assert summary["conference"]["status"] == "approved" and summary["record"]["version"] == 1
    assert "approved early" not in text_of(await chair.page("/version?number=1"))
    assert "Version 1" in (record := text_of(await chair.page("/record")))
    assert "(approved early)" not in record


async def test_approving_before_the_day_with_everyone_finished_still_asks(
    chair, database, conference
):
    """Everyone has sent their answers, but the conference is tomorrow."""
    tomorrow = uk_today() + timedelta(days=1)
    await everyone_sent_and_decided(chair, database, conference, tomorrow)
    page = text_of(await chair.page("/record"))
    assert f"The conference is on {day(tomorrow)}, tomorrow." in page
    assert "not sent their answers" not in page
    assert (await chair.post("/approve", {})).status == 303
    assert (await chair.summary())["record"]["approved"] == []


@pytest.mark.parametrize(
    "month, meant",
    [("12", 12), ("Dec", 12), ("december", 12), ("Sept", 9), ("sep.", 9), (" 3 ", 3)],
)
def test_a_month_may_be_typed_as_its_name(month, meant):
    from bot.review.record import typed_to_date

    assert typed_to_date({"day": "14", "month": month, "year": "2026"}, "the date").month == meant


@pytest.mark.parametrize("month", ["Mayday", "de", "13", "twelve"])
def test_a_month_that_is_no_month_is_refused(month):
    from bot.review.record import typed_to_date

    with pytest.raises(ValueError, match="Enter a real date for the date"):
        typed_to_date({"day": "14", "month": month, "year": "2026"}, "the date")
