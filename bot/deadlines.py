"""Working-day deadlines: professionals' reports reach the family N working days before
the conference (2 before an initial, 5 before a review, by default: seeds 002 and 004).
Working days skip weekends and England and Wales bank holidays."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.UnitedKingdom(subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def _count_working_days(day: date, working_days: int, step: timedelta) -> date:
    counted = 0
    while counted < working_days:
        day += step
        if is_working_day(day):
            counted += 1
    return day


def working_days_before(day: date, working_days: int) -> date:
    """The date `working_days` working days before `day`."""
    return _count_working_days(day, working_days, timedelta(days=-1))


def working_days_after(day: date, working_days: int) -> date:
    """The date `working_days` working days after `day`."""
    return _count_working_days(day, working_days, timedelta(days=1))
