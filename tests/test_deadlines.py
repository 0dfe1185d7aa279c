"""Working-day deadlines across weekends and bank holidays (England and Wales)."""

from datetime import date

from bot.deadlines import is_working_day, working_days_before


def test_two_working_days_before_skips_a_bank_holiday_weekend():
    # Tuesday 7 April 2026: Easter Monday (6th) and Good Friday (3rd) are bank holidays.
    assert working_days_before(date(2026, 4, 7), 2) == date(2026, 4, 1)


def test_five_working_days_before_a_review_over_christmas():
    # Monday 4 January 2027: 1 Jan (Fri), 28 Dec (Boxing Day observed), 25 Dec are holidays.
    assert working_days_before(date(2027, 1, 4), 5) == date(2026, 12, 23)


def test_an_ordinary_week():
    assert working_days_before(date(2026, 12, 15), 5) == date(2026, 12, 8)
    assert not is_working_day(date(2026, 12, 25)) and is_working_day(date(2026, 12, 24))
