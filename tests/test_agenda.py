"""The agenda file: checked whole when loaded, replaceable, and its wording used as written."""

from __future__ import annotations

import pytest

from bot.agenda.loader import DEFAULT_AGENDA, AgendaError, load_agenda, parse_agenda
from bot.dialogue.parsing import OUT_OF_RANGE, match_option, means, parse_score
from tests.conftest import EXAMPLES, EngineChat, conference_with

DEFAULT = DEFAULT_AGENDA.read_text()


def test_the_default_agenda_asks_parents_in_the_order_of_the_seeds():
    agenda = load_agenda(DEFAULT_AGENDA)
    review = [q.section for q in agenda.questions_for("parent", "review")]
    assert list(dict.fromkeys(review)) == [
        "welcome",
        "preparation",
        "working_well",
        "worries",
        "next_steps",
        "scaling",
        "anything_else",
        "check",
    ]
    initial = [q.section for q in agenda.questions_for("family_member", "initial")]
    assert initial.index("worries") < initial.index("working_well")
    assert "plan_working" not in [q.key for q in agenda.questions_for("parent", "initial")]


@pytest.mark.parametrize(
    "change, message",
    [
        (("column: worries", "column: concerns"), "sections.worries[2].column: should be one of"),
        (("kind: score", "kind: slider"), "sections.scaling[0].kind: should be one of"),
        (("{children}?", "{kids}?"), "unknown names ['kids']"),
        (
            ("[welcome, preparation, working_well", "[welcome, prep, working_well"),
            "names unknown section 'prep'",
        ),
        (("  kept: Thank you, I have kept what you wrote.\n", ""), "messages.kept: is missing"),
    ],
)
def test_a_mistake_in_an_agenda_is_named_with_its_field_and_line(change, message):
    broken = DEFAULT.replace(*change, 1)
    assert broken != DEFAULT
    required = {"kept", "help", "paused"}
    with pytest.raises(AgendaError, match="line|is missing") as refused:
        parse_agenda(broken, "partnership.yml", required)
    assert message in str(refused.value) and "partnership.yml" in str(refused.value)


def test_a_partnership_agenda_changes_the_wording_without_code(database, tmp_path):
    own = tmp_path / "partnership.yml"
    own.write_text(DEFAULT.replace("What is going well in your family?", "What are you proud of?"))
    _, ids = conference_with(database, (EXAMPLES / "demo-conference.yml").read_text())
    chat = EngineChat(database, ids["P1"], load_agenda(own))
    chat.start()
    for text in ("yes", "skip", "skip", "skip"):
        chat.say(text)
    assert chat.say("skip").endswith("\nWhat are you proud of? What are you proud of?")


@pytest.mark.parametrize(
    "typed, score",
    [
        ("7", 7),
        ("seven", 7),
        ("about a 6", 6),
        ("6/10", 6),
        ("6 out of 10", 6),
        ("ten", 10),
        ("0", 0),
        ("11", OUT_OF_RANGE),
        ("-1", OUT_OF_RANGE),
        ("between 5 and 6", None),
        ("no idea", None),
    ],
)
def test_scores_can_be_typed_in_words_or_numbers(typed, score):
    assert parse_score(typed) == score


def test_choices_match_payload_title_or_plain_yes_and_no():
    agenda = load_agenda(DEFAULT_AGENDA)
    options = agenda.sections["preparation"][0].options
    assert match_option("partly", options, agenda.replies).key == "partly"
    assert match_option("Yeah", options, agenda.replies).key == "yes"
    assert match_option("not yet", options, agenda.replies).key == "no"
    assert match_option("maybe", options, agenda.replies) is None
    assert means(agenda, "No, that's all", "nothing_more")
    assert not means(agenda, "No fights", "nothing_more")


def test_a_note_beside_an_answer_names_its_question_for_the_chair():
    """Read on the chair's pages and in exports: never "You also said" with no question."""
    assert load_agenda().label("seen_report:note") == "Seen the reports: also said"
