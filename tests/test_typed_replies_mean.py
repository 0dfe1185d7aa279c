"""Typed replies mean what they say (issue 23): a score with its reason, a choice with more
words, "None known" as an answer of none, "I don't know what to say", keeping an answer
after back, which child only when it matters, and a read-back with every answer."""

from __future__ import annotations

from sqlalchemy import select

from bot.model.answers import NONE_GIVEN
from bot.model.tables import Score
from bot.summary.build import build_summary
from tests.conftest import EXAMPLES, EngineChat, conference_with
from tests.test_conversation_engine import _to_scaling, answers, through_preparation

DEMO = (EXAMPLES / "demo-conference.yml").read_text()
WHICH_CHILD = "Is this about Ava or Leo?"


def chat(database, key: str = "P1") -> EngineChat:
    _, ids = conference_with(database, DEMO)
    return EngineChat(database, ids[key])


def skip_to(chat: EngineChat, words: str, said: str = "") -> str:
    """Skip questions until the chat says these words; returns what it said."""
    while words not in said:
        said = chat.say("skip")
    return said


def current(database, participant_id, **where):
    return [a for a in answers(database, participant_id, **where) if a.superseded_at is None]


# --- a score given with its reason ---------------------------------------------------------


def test_a_score_with_its_reason_keeps_the_reason_and_asks_what_would_move_it(database):
    kelly = chat(database)
    _to_scaling(kelly)
    said = kelly.say("7 because Dave has moved out")
    assert "Why did you choose" not in said
    assert "move it up to 8?" in said
    with database.session() as session:
        score = session.execute(select(Score)).scalar_one()
    assert (score.score, score.reason) == (7, "Dave has moved out")


def test_a_number_on_its_own_still_asks_why(database):
    kelly = chat(database)
    _to_scaling(kelly)
    assert "Why did you choose 6?" in kelly.say("I'd say 6 out of 10")


# --- a choice followed by more words ---------------------------------------------------------


def test_a_choice_with_more_words_takes_the_choice_and_keeps_the_rest(database):
    kelly = chat(database)
    kelly.start()
    said = kelly.say(
        "Partly. I got the social worker's report on Friday but the school one never came"
    )
    assert "Please choose one of the buttons" not in said
    assert said.endswith("Did someone go through the reports with you?")
    (seen,) = current(database, kelly.participant_id, question_key="seen_report")
    assert seen.choice == "partly"
    notes = current(database, kelly.participant_id, question_key="seen_report:note")
    assert [n.text for n in notes] == [
        "Partly. I got the social worker's report on Friday but the school one never came"
    ]


def test_a_choice_that_the_rest_qualifies_is_asked_again(database):
    kelly = chat(database)
    kelly.start()
    assert "Please choose one of the buttons" in kelly.say("No, only part of it")
    assert current(database, kelly.participant_id, question_key="seen_report") == []


# --- "None known" is an answer of none -------------------------------------------------------


def test_none_known_is_an_answer_for_the_chair_never_a_skip_or_a_column_item(database):
    conference_id, ids = conference_with(database, DEMO)
    jo = EngineChat(database, ids["P3"])
    jo.start()
    for text in ("Nan visits every day", "Both", "no", "Mum engages", "no", "Progress"):
        jo.say(text)
    said = jo.say("Dad has not started the course")  # what has drifted
    assert said.endswith("Are there any new worries since the last conference?")
    said = jo.say("None")  # the button's words
    assert "we'll leave that one" not in said and "noted" in said
    (none,) = current(database, ids["P3"], question_key="new_worries")
    assert (none.text, none.column_key, none.choice) == ("None", None, NONE_GIVEN)
    with database.session() as session:
        summary = build_summary(session, conference_id, "chair")
    said_for_chair = [i for i in summary["for_chair"] if i["participant"] == "P3"]
    assert {"question": "New worries", "text": "None", "answer_of_none": True}.items() <= (
        said_for_chair[-1].items()
    )
    in_columns = [i["text"] for items in summary["columns"].values() for i in items]
    assert "None" not in in_columns


def test_typing_the_buttons_words_is_that_button_other_nothing_replies_are_not_stored(database):
    kelly = chat(database)
    through_preparation(kelly)
    skip_to(kelly, "Is anything missing from the safety plan?")
    said = kelly.say("nothing missing!")
    assert "we'll leave that one" not in said
    assert said.endswith("What do you think needs to happen next?")
    (none,) = current(database, kelly.participant_id, question_key="plan_missing")
    assert (none.text, none.column_key) == ("Nothing missing", None)
    skip_to(kelly, "Who in your family and friends helps you")
    kelly.say("no, that's all")  # not the button's words: nothing to add, not stored
    assert current(database, kelly.participant_id, question_key="safety_network") == []


def test_an_answer_given_after_going_back_from_none_known_goes_in_its_column(database):
    kelly = chat(database)
    through_preparation(kelly)
    skip_to(kelly, "Is anything missing from the safety plan?")
    kelly.say("Nothing missing")
    assert 'You said: "Nothing missing"' in kelly.say("back")
    kelly.say("Help in the school holidays")
    (missing,) = current(database, kelly.participant_id, question_key="plan_missing")
    assert (missing.text, missing.column_key) == ("Help in the school holidays", "next_steps")


def test_a_real_skip_button_still_skips(database):
    """A child's "Skip" button is a skip: nothing is stored."""
    ava = chat(database, "P2")
    ava.start()
    ava.say("Playing with my dog")
    ava.say("no")  # anything else?
    assert "we'll leave that one" in ava.say("Skip")  # who makes you feel safe?
    assert current(database, ava.participant_id, question_key="feel_safe") == []


# --- keeping an answer after back ------------------------------------------------------------


def test_skip_after_back_says_the_answer_was_kept(database):
    kelly = chat(database)
    through_preparation(kelly)
    kelly.say("We go to the park")
    kelly.say("Both")
    kelly.say("no")
    assert 'You said: "We go to the park"' in kelly.say("back")
    said = kelly.say("skip")
    assert "I've kept your answer" in said and "we'll leave that one" not in said
    (park,) = current(database, kelly.participant_id, column_key="strengths")
    assert park.text == "We go to the park"


# --- "I don't know what to say" --------------------------------------------------------------


def test_i_dont_know_what_to_say_gets_an_example_then_a_kind_way_on(database):
    kelly = chat(database)
    through_preparation(kelly)
    said = kelly.say("i dont really know what to say")
    assert "For example" in said and "We read a story every night" in said
    assert said.endswith("What is going well in your family? What are you proud of?")
    said = kelly.say("not sure what to put")
    assert "That's OK" in said and "how have you kept Ava and Leo safe?" in said
    assert current(database, kelly.participant_id, column_key="strengths") == []


def test_the_example_fits_the_question_and_the_person(database):
    ava = chat(database, "P2")
    ava.start()
    assert "I like football" in ava.say("dunno")  # her house of good things
    kelly = chat(database)
    _to_scaling(kelly)
    kelly.say("5")
    assert "Things are better since March" in kelly.say("idk what to write")
    with database.session() as session:
        assert session.execute(select(Score.reason)).scalar_one() is None


# --- which child, only when it matters -------------------------------------------------------


def test_an_answer_that_names_a_child_is_about_that_child_without_asking(database):
    kelly = chat(database)
    through_preparation(kelly)
    assert WHICH_CHILD not in kelly.say("leo loves his football")
    assert WHICH_CHILD not in kelly.say("Ava's reading has come on so much")
    assert WHICH_CHILD not in kelly.say("the kids help me cook on Sundays")
    strengths = current(database, kelly.participant_id, column_key="strengths")
    assert [a.children for a in strengths] == [["B"], ["A"], ["A", "B"]]


def test_which_child_is_asked_once_in_a_section_and_the_choice_stands(database):
    kelly = chat(database)
    through_preparation(kelly)
    assert WHICH_CHILD in kelly.say("We bake on Saturdays")
    kelly.say("just leo")
    assert WHICH_CHILD not in kelly.say("He sleeps well now")
    kelly.say("no")
    assert WHICH_CHILD not in kelly.say("I put him to bed on time")  # kept safe: same part
    safety = current(database, kelly.participant_id, column_key="safety")
    assert [a.children for a in safety] == [["B"]]


def test_a_worry_typed_at_which_child_is_kept_for_the_chair_not_filed_as_a_strength(database):
    kelly = chat(database)
    through_preparation(kelly)
    kelly.say("We go swimming")
    said = kelly.say("I am scared the school will phone again")
    assert "I have kept what you wrote" in said and "anything else" in said
    strengths = current(database, kelly.participant_id, column_key="strengths")
    assert [a.text for a in strengths] == ["We go swimming"]
    notes = current(database, kelly.participant_id, question_key="strengths:note")
    assert [n.text for n in notes] == ["I am scared the school will phone again"]


def swimming_at_the_read_back(kelly) -> tuple[str, str]:
    """Kelly's "We go swimming", about Ava, at the read-back: its text, and its number."""
    through_preparation(kelly)
    kelly.say("We go swimming")
    kelly.say("Ava")
    text = skip_to(kelly, "Here is everything you told me", kelly.say("no"))
    number = next(line.split(".")[0] for line in text.splitlines() if "We go swimming" in line)
    return text, number


def test_who_an_answer_is_about_can_be_changed_at_the_read_back(database):
    kelly = chat(database)
    text, number = swimming_at_the_read_back(kelly)
    assert "We go swimming (about Ava)" in text
    kelly.say("change")
    assert "It is about Ava" in kelly.say(number)
    assert "I have changed it" in kelly.say("both")
    (swimming,) = current(database, kelly.participant_id, column_key="strengths")
    assert (swimming.text, swimming.children) == ("We go swimming", ["A", "B"])


# A parent of two types the whole demo path in her own words; "which child?" is answered
# whenever it is asked, outside the script.
WHOLE_PATH = [
    "partly",
    "my social worker did",
    "What does core group mean?",
    "Who will be in the room",
    "Breaks when I need them",
    "no",
    "i dont really know what to say",  # an example, then the question again
    "We go to the park every Sunday",
    "leo loves his football",
    "Ava is doing well at school",
    "we laugh a lot at tea time",
    "no",
    "I stay calm when there is shouting",
    "no",
    "It has helped us talk",
    "That the kids see us argue",
    "It says I missed appointments but I rang both times",
    "Ava has been wetting the bed again",
    "money is tight",
    "no",
    "Money since I lost my job",
    "no",
    "Nothing missing",
    "A parenting course",
    "Leo needs help with his speech",
    "no",
    "My mum has the kids on Saturdays",
    "I would ring my mum",
    "Fewer arguments in front of the children",
    "Help with the rent",
    "no",
    "7 because Dave has moved out",
    "Keep going with the course",
    "I am nervous about the meeting",
]

# Her replies that are not open answers in her words: choices, "no", a score, "I don't know
# what to say".
NOT_OPEN = {
    "partly",
    "my social worker did",
    "no",
    "i dont really know what to say",
    "7 because Dave has moved out",
}


def test_a_parent_of_two_typing_the_whole_path_is_asked_which_child_at_most_four_times(
    database,
):
    kelly = chat(database)
    kelly.start()
    asked, said = 0, ""
    for text in WHOLE_PATH:
        said = kelly.say(text)
        assert "Why did you choose" not in said
        while WHICH_CHILD in said:
            asked += 1
            said = kelly.say("both")
    assert "Here is everything you told me" in said
    assert 1 <= asked <= 4, asked
    stored = [a.text for a in current(database, kelly.participant_id)]
    assert "i dont really know what to say" not in stored
    # The read-back lists every answer she gave, both of what is not yet clear included.
    assert "What is not yet clear?" in said
    for text in set(WHOLE_PATH) - NOT_OPEN:  # every open answer she typed, stored or lost
        assert text in said, text
    assert "Dave has moved out" in said  # the score's reason
    assert "That the kids see us argue" in said
    assert "It says I missed appointments but I rang both times" in said


# --- pressing a button of none, as the web chat sends it --------------------------------------


def pressed(chat: EngineChat, title: str) -> str:
    """Press the button with this title, sending its payload as the web chat, Telegram and
    the command-line client do; returns what the chat says."""
    (payload,) = [b["payload"] for b in chat.turn("ask")[-1].buttons if b["title"] == title]
    return chat.say(payload)


def skip_to_button(chat: EngineChat, title: str) -> None:
    chat.start()
    while title not in chat.buttons():
        chat.say("skip")


def test_pressing_none_known_is_an_answer_of_none_not_a_skip(database):
    gp = chat(database, "P4")
    skip_to_button(gp, "None known")
    question = gp.turn("ask")[-1].text
    said = pressed(gp, "None known")
    assert "we'll leave that one" not in said and "noted" in said
    nones = [a for a in current(database, gp.participant_id) if a.choice == NONE_GIVEN]
    assert [(a.text, a.column_key) for a in nones] == [("None known", None)]
    assert question not in said  # and on to the next question


def test_typing_none_at_none_known_is_that_answer_of_none(database):
    gp = chat(database, "P4")
    skip_to_button(gp, "None known")
    said = gp.say("none")
    assert "we'll leave that one" not in said and "noted" in said
    nones = [a for a in current(database, gp.participant_id) if a.choice == NONE_GIVEN]
    assert [a.text for a in nones] == ["None known"]


def test_pressing_nothing_to_add_and_a_real_skip_button(database):
    gp = chat(database, "P4")
    skip_to_button(gp, "Nothing to add")
    assert "noted" in pressed(gp, "Nothing to add")
    ava = chat(database, "P2")
    skip_to_button(ava, "Skip")
    assert "we'll leave that one" in pressed(ava, "Skip")


def test_no_child_chosen_at_the_read_back_keeps_the_answer_as_it_was(database):
    kelly = chat(database)
    _, number = swimming_at_the_read_back(kelly)
    for reply in ("not sure", "neither", "dunno"):
        kelly.say("change")
        assert "It is about Ava" in kelly.say(number)
        assert "I've kept your answer" in kelly.say(reply)
    (swimming,) = current(database, kelly.participant_id, column_key="strengths")
    assert (swimming.text, swimming.children) == ("We go swimming", ["A"])


def test_a_score_with_its_reason_in_other_words_keeps_the_reason(database):
    kelly = chat(database)
    _to_scaling(kelly)
    replies = {
        "Dave has moved out so 7": (7, "Dave has moved out"),
        "7 he has left": (7, "he has left"),
        "10/10 he's doing great": (10, "he's doing great"),
        "about 6 i think because of the course": (6, "because of the course"),
    }
    for text, (number, reason) in replies.items():
        said = kelly.say(text)
        if "in danger right now?" in said:  # the safeguarding check may come first
            said = kelly.say("no")
        assert "Why did you choose" not in said, text
        assert "What would" in said, text  # what would move it up (or keep it at 10)
        with database.session() as session:
            score = session.execute(select(Score).where(Score.superseded_at.is_(None)))
            assert (lambda s: (s.score, s.reason))(score.scalar_one()) == (number, reason)
        kelly.say("back")  # to why, then to the number again
        kelly.say("back")


def test_a_reply_of_none_after_the_number_is_not_a_reason(database):
    kelly = chat(database)
    _to_scaling(kelly)
    assert "Why did you choose 7?" in kelly.say("7, not sure")
    kelly.say("back")
    assert "Why did you choose 6?" in kelly.say("6, nothing else")


def test_a_child_called_will_is_named_only_as_a_name(database):
    _, ids = conference_with(database, DEMO.replace("Leo", "Will"))
    kelly = EngineChat(database, ids["P1"])
    through_preparation(kelly)
    assert "Is this about Ava or Will?" in kelly.say("I will ring my mum and she comes round")
    kelly.say("both")
    assert "Is this about" not in kelly.say("Will's reading has come on so much")
    assert "Is this about" not in kelly.say("will loves his football")  # the choice stands
    strengths = current(database, kelly.participant_id, column_key="strengths")
    assert [a.children for a in strengths] == [["A", "B"], ["B"], ["A", "B"]]
