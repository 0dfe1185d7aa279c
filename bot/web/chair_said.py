"""The chair's page "Said for the chair": what each person said for the chair alone before
the meeting, which the board and the scores do not show (bot/review/for_chair.py).

A handler takes a Visit (bot/web/guard.py), like those of bot/web/chair.py, whose page
layout it shares.
"""

from __future__ import annotations

from bot.review.for_chair import said_for_chair
from bot.web.chair import _page, _summary
from bot.web.guard import Visit, chair_page


@chair_page("viewed_for_chair")
def for_chair(visit: Visit) -> dict:
    said = said_for_chair(visit.session, visit.conference, _summary(visit))
    return _page(
        visit,
        "chair/for_chair.html",
        "for_chair",
        "Said for the chair",
        said=said,
        _audit={"sent_after_on_the_day": len(said.first)},
    )
