"""What the chat says is written for the people who read it: every participant-facing
message of the default agenda and the crisis scripts, with long real names and dates
filled in, within its reading age (Flesch-Kincaid grade: young people 4, parents and
carers 6, crisis scripts 3). `scripts/readability.py` prints every grade."""

from __future__ import annotations

from scripts.readability import measured

# This quotes the conference's danger statement, the social worker's own words for the
# adults (graded where they are written).
QUOTE_THE_DANGER_STATEMENT = {"family scale"}


def test_every_message_is_within_the_reading_age_of_its_reader():
    rows = measured()
    assert len(rows) >= 200
    over = [
        f"{where}: grade {value:.1f}, aim {aim}"
        for value, aim, where, _ in rows
        if aim is not None and value > aim and where not in QUOTE_THE_DANGER_STATEMENT
    ]
    assert over == []


def test_the_crisis_scripts_are_the_plainest():
    crisis = [(where, value) for value, aim, where, _ in measured() if aim == 3]
    assert len(crisis) >= 9  # five scripts, three next steps, the dispute
    assert all(value <= 3 for _, value in crisis), crisis
