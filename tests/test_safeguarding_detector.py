"""The safeguarding detector on the checked-in phrase sets: every immediate-danger phrase
must interrupt (recall 100%), and almost no everyday message may (precision >= 95%)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safeguarding.detector import CONCERN, IMMEDIATE, assess

PHRASES = Path(__file__).parent / "data" / "safeguarding"


def phrases(name: str) -> list[str]:
    lines = (PHRASES / name).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def is_immediate(text: str) -> bool:
    finding = assess(text)
    return finding is not None and finding.tier == IMMEDIATE


def test_recall_and_precision_on_the_phrase_sets():
    danger, everyday = phrases("immediate.txt"), phrases("benign.txt")
    assert len(danger) >= 150 and len(everyday) >= 150
    missed = [text for text in danger if not is_immediate(text)]
    false_alarms = [text for text in everyday if is_immediate(text)]
    caught = len(danger) - len(missed)
    recall = caught / len(danger)
    precision = caught / (caught + len(false_alarms))
    print(
        f"\nsafeguarding detector: {len(danger)} danger phrases, {len(everyday)} everyday; "
        f"recall {recall:.1%}, precision {precision:.1%}"
    )
    assert missed == [], "missed immediate danger"
    assert precision >= 0.95, false_alarms


@pytest.mark.parametrize(
    "text",
    [
        "he doesnt hit us any more",
        "he does not hurt me now",
        "i used to get hit when i was little",
        "i am scared of my stepdad",
        "i do not want to kill myself",
    ],
)
def test_negated_or_past_harm_and_fear_are_a_concern_not_an_alarm(text):
    assert assess(text).tier == CONCERN


@pytest.mark.parametrize("text", ["I feel safe now", "7", "Partly", "Send my answers", "stop"])
def test_ordinary_answers_raise_nothing(text):
    assert assess(text) is None


def test_the_harm_concepts_are_data_and_a_mistake_is_named(tmp_path):
    from bot.safeguarding.patterns import HARM_CONCEPTS, HarmConceptsError, _read

    broken = tmp_path / "harm_concepts.yml"
    broken.write_text(
        HARM_CONCEPTS.read_text().replace("SUBJECT AUX* HURT", "SUBJECT AUX* HARMS", 1)
    )
    with pytest.raises(HarmConceptsError, match="shapes.harm: unknown concept HARMS"):
        _read(broken)
