"""Our REST channel: a person's message is only ever text; `/start CODE` alone passes as a
command (Rasa's `/intent{...}` syntax is read after our detector, so it must not reach it)."""

from __future__ import annotations

import pytest

from bot.channels.rest import plain_text
from bot.typed import AS_TEXT, as_typed

CODE = "Hh3kP0-q2Zx9LmN4bVcT1w"


@pytest.mark.parametrize(
    "typed, read",
    [
        (f"/start {CODE}", f"/start {CODE}"),
        ("/start", "/start"),
        (f"/start@ConferenceCompanionBot {CODE}", f"/start {CODE}"),  # Telegram in a group
        ("we go to the park", "we go to the park"),
        ("/disclosure", AS_TEXT + "/disclosure"),
        ("/start@1 my dad is hitting me", AS_TEXT + "/start@1 my dad is hitting me"),
        ("/start help-me-he-is-hitting-me", AS_TEXT + "/start help-me-he-is-hitting-me"),
        ('/inform{"answer": "x"}', AS_TEXT + '/inform{"answer": "x"}'),
    ],
)
def test_only_start_passes_as_a_command(typed, read):
    assert plain_text(typed) == read
    assert as_typed(plain_text(typed)).endswith(typed.split()[-1])
