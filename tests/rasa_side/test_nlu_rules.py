"""Nothing trained takes an answer away: our NLU rules, in the pipeline's order, decide what
is not an answer; whatever the classifier guessed for anything else becomes `inform`."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.answers import ANSWER_INTENT, EverythingElseIsAnAnswer
from bot.nlu.commands import CommandRecognizer
from bot.nlu.invite_start import InviteStartRecognizer

# The order config.yml gives them, after the trained classifier.
PIPELINE = [
    InviteStartRecognizer(),
    CommandRecognizer(),
    EverythingElseIsAnAnswer(),
]


def understood(text: str, guessed: str, confidence: float = 0.93) -> Message:
    message = Message({TEXT: text, INTENT: {"name": guessed, "confidence": confidence}})
    for component in PIPELINE:
        [message] = component.process([message])
    return message


@pytest.mark.parametrize(
    "text, guessed",
    [
        ("Things are better since Pat started coming but I still have bad days", "start"),
        ("I started a parenting course in September", "start"),
        ("just the start", "start"),
        ("I want the shouting to stop", "stop"),
        ("hello, sorry I'm late answering, the kids are fine", "greet"),
        ("back when we lived in Leeds things were harder", "go_back"),
        ("I need help with the rent", "help"),
        ("he misunderstood what the school said", "misunderstood"),
        # An intent added to the classifier later cannot take an answer either.
        ("we book the appointments ourselves now", "book_appointment"),
    ],
)
def test_whatever_the_classifier_guesses_an_answer_stays_an_answer(text, guessed):
    assert understood(text, guessed).get(INTENT)["name"] == ANSWER_INTENT


@pytest.mark.parametrize(
    "text, intent",
    [
        ("/start Hh3kP0-q2Zx9LmN4bVcT1w", "start"),
        ("Hh3kP0-q2Zx9LmN4bVcT1w", "start"),
        ("stop", "stop"),
        ("Go back!", "go_back"),
        ("skip this", "skip"),
        ("I need a break", "pause"),
        ("you misunderstood", "misunderstood"),
    ],
)
def test_only_our_rules_decide_a_message_is_not_an_answer(text, intent):
    assert understood(text, "inform", 0.9).get(INTENT)["name"] == intent


def test_a_disclosure_reaches_the_action_server_as_the_answer_it_is():
    """Safeguarding is judged in one place, the action server, from the words and the
    question they answer: whatever a classifier guessed, Rasa passes the words on."""
    for text, guessed in (("my dad is hitting me", "disclosure"),
                          ("we had a lovely day at the park", "disclosure")):  # fmt: skip
        message = understood(text, guessed, 0.95)
        assert message.get(INTENT)["name"] == ANSWER_INTENT
        assert message.get(TEXT) == text
