"""Our REST channel: a person's message is only ever text; `/start CODE` alone passes as a
command, the code hashed (Rasa's `/intent{...}` syntax is read after our detector, so it
must not reach it from a person; and a code must not reach Rasa's tracker or log)."""

from __future__ import annotations

import pytest

from bot.channels.rest import plain_text
from bot.codes import hash_code
from bot.typed import AS_TEXT, as_typed

CODE = "Hh3kP0-q2Zx9LmN4bVcT1w"
START = '/start{"invite_code": "' + hash_code(CODE) + '"}'


@pytest.mark.parametrize(
    "typed, read",
    [
        (f"/start {CODE}", START),
        (CODE, START),  # pasted alone
        ("/start", "/start"),
        (f"/start@ConferenceCompanionBot {CODE}", START),  # Telegram in a group
        ("we go to the park", "we go to the park"),
        ("/disclosure", AS_TEXT + "/disclosure"),
        ("/start@1 my dad is hitting me", AS_TEXT + "/start@1 my dad is hitting me"),
        ("/start help-me-he-is-hitting-me", AS_TEXT + "/start help-me-he-is-hitting-me"),
        ('/inform{"answer": "x"}', AS_TEXT + '/inform{"answer": "x"}'),
    ],
)
def test_only_start_passes_as_a_command(typed, read):
    assert plain_text(typed) == read
    if read.startswith(AS_TEXT) or read == typed:  # the words themselves, unchanged
        assert as_typed(plain_text(typed)) == typed
    assert CODE not in plain_text(typed)
