"""The conversation engine (no Rasa): the family's path, commands, scores and the check."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.model.tables import Answer, Participant, Progress, Score
from tests.conftest import EXAMPLES, EngineChat, conference_with

DEMO = (EXAMPLES / "demo-conference.yml").read_text()
TWO_STATEMENTS = DEMO.replace(
    "participants:",
    "  - key: D2\n    danger: Leo could be left alone at night.\n"
    "    safety_goal: An adult will always be with Leo at night.\n"
    "    children: [B]\n    previous_scores: {P1: 2}\n"
    "participants:",
)
INITIAL = DEMO.replace("type: review", "type: initial").replace(
    "    previous_scores: {P1: 4, P3: 3}\n", ""
)


@pytest.fixture
def kelly(database):
    _, ids = conference_with(database, DEMO)
    return EngineChat(database, ids["P1"])


def answers(database, participant_id, **where):
    with database.session() as session:
        query = select(Answer).where(Answer.participant_id == participant_id)
        for name, value in where.items():
            query = query.where(getattr(Answer, name) == value)
        return session.execute(query.order_by(Answer.id)).scalars().all()


def through_preparation(chat: EngineChat) -> str:
    """Answer the preparation questions; returns what the chat says next."""
    chat.start()
    for text in ("Partly", "skip", "skip", "skip"):  # seen, gone through, questions, worries
        chat.say(text)
    return chat.say("skip")


def test_the_welcome_says_who_reads_and_that_nothing_is_secret(kelly):
    text = kelly.start()
    assert text.startswith("Hello Kelly.")
    assert "Tuesday 15 December 2026 at 10am" in text
    assert "We know this meeting can be hard" in text and "about 20 minutes" in text
    # one true thing: the chair reads; sharing at the meeting is their choice, at the end
    assert "The chair of the conference will read your answers" in text
    assert "At the end, you choose if they are shared at the meeting too" in text
    assert "shared at the conference with the professionals" not in text
    assert "I cannot keep it secret if a child may be in danger" in text
    assert "Find a private place" in text and "delete the chat" in text
    assert text.endswith(
        "Have you seen the reports for the conference? "
        "They come from the social worker and other services."
    )


def test_review_conference_starts_with_whats_working_well(kelly):
    assert through_preparation(kelly).endswith(
        "What is going well in your family? What are you proud of?"
    )


def test_an_initial_conference_starts_with_the_worries(database):
    _, ids = conference_with(database, INITIAL)
    chat = EngineChat(database, ids["P1"])
    assert through_preparation(chat).endswith(
        "In your own words, what do you think the professionals are worried about?"
    )


def test_an_answer_lands_in_its_column_for_the_children_chosen(kelly, database):
    through_preparation(kelly)
    assert "Is this about Ava or Leo?" in kelly.say("We go to the park on Sundays")
    assert kelly.buttons() == ["Ava", "Leo", "Both"]
    assert "anything else" in kelly.say("Ava")
    assert "anything else" in kelly.say("We cook together")  # the choice stands in this part
    kelly.say("Leo loves his nursery")  # a name says who without asking
    strengths = answers(database, kelly.participant_id, column_key="strengths")
    assert [(a.text, a.children) for a in strengths] == [
        ("We go to the park on Sundays", ["A"]),
        ("We cook together", ["A"]),
        ("Leo loves his nursery", ["B"]),
    ]


def test_back_changes_the_previous_answer_and_keeps_the_old_version(kelly, database):
    through_preparation(kelly)
    kelly.say("We go to the park")
    kelly.say("Both")
    kelly.say("no")
    text = kelly.say("go back")
    assert 'You said: "We go to the park".' in text
    kelly.say("We go to the park every Sunday")
    strengths = answers(database, kelly.participant_id, column_key="strengths")
    assert [a.text for a in strengths if a.superseded_at is None] == [
        "We go to the park every Sunday"
    ]
    assert [a.text for a in strengths if a.superseded_at is not None] == ["We go to the park"]


def test_yes_to_anything_else_asks_for_it_rather_than_saving_yes(kelly, database):
    through_preparation(kelly)
    kelly.say("We go to the park")
    kelly.say("Both")
    assert kelly.say("yes").startswith("Go ahead, type it here.")
    assert [a.text for a in answers(database, kelly.participant_id, column_key="strengths")] == [
        "We go to the park"
    ]


def test_an_answer_containing_a_command_word_is_still_an_answer(kelly, database):
    through_preparation(kelly)
    kelly.say("I want the shouting to stop")
    assert answers(database, kelly.participant_id, column_key="strengths")[0].text == (
        "I want the shouting to stop"
    )


def test_typing_a_button_title_is_the_same_as_pressing_it(kelly, database):
    kelly.start()
    kelly.say("partly")
    kelly.say("No questions")  # the skip button's title
    assert answers(database, kelly.participant_id, question_key="report_questions") == []
    seen = answers(database, kelly.participant_id, question_key="seen_report")
    assert [(a.text, a.choice) for a in seen] == [("Partly", "partly")]


def test_no_to_seeing_the_report_is_flagged_for_the_chair(kelly, database):
    kelly.start()
    kelly.say("No")
    assert answers(database, kelly.participant_id, question_key="seen_report")[0].flagged


def test_words_at_a_choice_are_kept_and_the_choice_asked_again(kelly, database):
    kelly.start()
    text = kelly.say("I got it yesterday but have not read it")
    assert "I have kept what you wrote" in text and text.endswith("and other services.")
    note = answers(database, kelly.participant_id, question_key="seen_report:note")[0]
    assert note.text == "I got it yesterday but have not read it" and note.column_key is None


def _to_scaling(chat: EngineChat) -> str:
    through_preparation(chat)
    for _ in range(16):  # working well, worries, next steps: skip them all
        text = chat.say("skip")
        if "On a scale from 0 to 10" in text:
            return text
    raise AssertionError("never reached the scaling question")


@pytest.mark.parametrize("typed, score", [("7", 7), ("seven", 7), ("about a 6", 6), ("ten", 10)])
def test_typed_scores_are_understood(kelly, database, typed, score):
    _to_scaling(kelly)
    assert "At the last conference you gave 4." in kelly.say(typed)
    with database.session() as session:
        assert session.execute(select(Score.score)).scalar_one() == score


def test_a_score_outside_0_to_10_gets_a_kind_retry(kelly, database):
    _to_scaling(kelly)
    assert "Please choose a number from 0 to 10" in kelly.say("12")
    assert "I have kept what you wrote" in kelly.say("it depends on the day")
    with database.session() as session:
        assert session.execute(select(Score)).first() is None


def test_a_score_comes_with_why_and_what_would_move_it_up(kelly, database):
    text = _to_scaling(kelly)
    assert "Ava and Leo could be hurt" in text and "Mum and dad will show everyone" in text
    assert kelly.buttons() == [str(n) for n in range(11)]
    assert "Why did you choose 6?" in kelly.say("6")
    assert "move it up to 7?" in kelly.say("We have had no fights since March")
    kelly.say("Fewer visits needed")
    with database.session() as session:
        score = session.execute(select(Score)).scalar_one()
    assert (score.score, score.reason, score.next_point) == (
        6,
        "We have had no fights since March",
        "Fewer visits needed",
    )


def test_a_score_of_ten_asks_what_would_keep_it_there(kelly):
    _to_scaling(kelly)
    kelly.say("10")
    assert "What would help keep it at 10?" in kelly.say("We are doing well")


def test_each_danger_statement_about_the_childrens_family_is_scored(database):
    _, ids = conference_with(database, TWO_STATEMENTS)
    chat = EngineChat(database, ids["P1"])
    _to_scaling(chat)
    chat.say("5")
    chat.say("reason one")
    text = chat.say("next one")
    assert "Leo could be left alone at night" in text
    assert "At the last conference you gave 2." in chat.say("3")
    with database.session() as session:
        scores = session.execute(select(Score).order_by(Score.id)).scalars().all()
        assert [(s.danger_statement.key, s.score) for s in scores] == [("D1", 5), ("D2", 3)]


def test_pause_keeps_the_place_and_resume_says_where_we_were(kelly, database):
    through_preparation(kelly)
    assert "Your answers so far are saved" in kelly.say("I need a break")
    with database.session() as session:
        assert session.get(Progress, kelly.participant_id).state == "paused"
    text = kelly.start()
    assert text.startswith("Welcome back, Kelly. We were at this question.")
    assert text.endswith("What are you proud of?")


def test_stop_says_what_happens_to_the_answers(kelly, database):
    kelly.start()
    assert "The answers you have already given are saved" in kelly.say("can we stop")
    with database.session() as session:
        assert session.get(Progress, kelly.participant_id).state == "stopped"


def test_the_check_lists_every_answer_and_any_one_can_be_changed(kelly, database):
    _to_scaling(kelly)
    kelly.say("6")
    kelly.say("No fights")
    kelly.say("More time")
    text = kelly.say("I am worried about the meeting")  # anything else for the chair
    assert "Here is everything you told me" in text
    assert "Safety scale 1: 6 out of 10. Why: No fights. To move up: More time" in text
    assert "For the chair: I am worried about the meeting" in text
    assert "Seen the reports: Partly" in text
    assert "Which answer" in kelly.say("Change an answer")
    number = next(line.split(".")[0] for line in text.splitlines() if "For the chair:" in line)
    assert 'You said: "I am worried about the meeting"' in kelly.say(number)
    assert "I have changed it" in kelly.say("I am nervous about the meeting")
    assert "Are you happy for your answers to be shared" in kelly.say("Send my answers")
    finished = kelly.say("Yes, share them")
    assert "Your answers have been sent to the conference chair" in finished
    assert "you can complain to Example Borough Council" in finished  # how to challenge it
    assert "Family Rights Group on 0808 801 0366 (Monday to Friday" in finished
    with database.session() as session:
        participant = session.get(Participant, kelly.participant_id)
        assert participant.response_status == "submitted" and participant.consent_to_share


def test_after_sending_anything_more_is_added_for_the_chair(kelly, database):
    _to_scaling(kelly)
    kelly.say("skip")
    kelly.say("skip")
    kelly.say("send")
    kelly.say("no")
    assert "marked as added after you sent" in kelly.turn("add_late", "Leo starts nursery")[0].text
    late = answers(database, kelly.participant_id, late=True)
    assert [a.text for a in late] == ["Leo starts nursery"]
