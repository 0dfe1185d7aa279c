"""Typed replies do what the buttons do; nothing-replies, "ok" and small talk are never
stored as answers. The engine without Rasa; tests/test_typed_answers.py drives the stack."""

from __future__ import annotations

import pytest

from bot.agenda.loader import load_agenda
from bot.dialogue.parsing import match_option, means
from tests.conftest import EXAMPLES, EngineChat, conference_with
from tests.test_conversation_engine import answers, through_preparation

DEMO = (EXAMPLES / "demo-conference.yml").read_text()
TEENAGER = DEMO.replace("{key: A, name: Ava, age: 9}", "{key: A, name: Ava, age: 14}")
AGENDA = load_agenda()


@pytest.fixture
def kelly(database):
    _, ids = conference_with(database, DEMO)
    return EngineChat(database, ids["P1"])


def stored_texts(database, participant_id) -> list[str]:
    return [a.text for a in answers(database, participant_id) if a.superseded_at is None]


def to_check(chat: EngineChat) -> str:
    """Skip to the read-back with one answer given; returns the read-back."""
    through_preparation(chat)
    chat.say("We go to the park")
    chat.say("Both")
    text = chat.say("no")
    while "Here is everything you told me" not in text:
        text = chat.say("skip")
    return text


@pytest.mark.parametrize(
    "typed", ["no, that's everything", "No that is everything!", "nope 🙂", "n/a", "that's it"]
)
def test_a_nothing_reply_at_anything_else_moves_on_and_is_not_stored(kelly, database, typed):
    through_preparation(kelly)
    kelly.say("We go to the park")
    kelly.say("Both")
    assert kelly.say(typed).endswith("how have you kept Ava and Leo safe?")
    assert stored_texts(database, kelly.participant_id) == ["Partly", "We go to the park"]


def test_no_at_an_open_question_is_nothing_to_add_not_an_answer(kelly, database):
    through_preparation(kelly)
    assert "That's fine, we'll leave that one." in kelly.say("no")
    assert answers(database, kelly.participant_id, column_key="strengths") == []


@pytest.mark.parametrize("typed", ["can we carry on", "Can I carry on?", "I'm ready"])
def test_going_on_after_a_pause_for_help_is_not_an_answer(kelly, database, typed):
    """After the safeguarding message says "go on with the question below", a person who
    says they are going on is asked the question again; nothing is stored as its answer."""
    through_preparation(kelly)
    assert kelly.say(typed).endswith("What is going well in your family? What are you proud of?")
    assert answers(database, kelly.participant_id, column_key="strengths") == []


def test_no_where_no_is_the_answer_is_stored(kelly, database):
    through_preparation(kelly)
    for _ in range(2):  # what is going well, how have you kept them safe
        kelly.say("skip")
    kelly.say("no")  # "Has the safety plan been working?"
    assert [a.text for a in answers(database, kelly.participant_id, column_key="safety")] == ["no"]


def test_yes_to_anything_for_the_chair_asks_for_it(kelly, database):
    text = to_check(kelly)
    kelly.say("back")  # from the read-back to "anything else you would like the chair to know?"
    assert kelly.say("yes").startswith("Go ahead, type it here.")
    kelly.say("I am nervous about the meeting")
    assert "I am nervous about the meeting" in stored_texts(database, kelly.participant_id)
    assert "yes" not in stored_texts(database, kelly.participant_id)
    assert "Here is everything you told me" in text


@pytest.mark.parametrize("typed", ["ok", "looks good", "yes send it", "Yep 👍", "looks goood"])
def test_ok_at_the_read_back_sends(kelly, database, typed):
    to_check(kelly)
    assert kelly.say(typed).endswith(
        "If not, only the chair will read them, and they will talk with you about it."
    )
    assert typed not in stored_texts(database, kelly.participant_id)


@pytest.mark.parametrize("typed", ["change", "no", "that's wrong", "I made a mistake"])
def test_change_at_the_read_back_asks_which(kelly, typed):
    to_check(kelly)
    assert kelly.say(typed) == "Which answer would you like to change? Type its number."


def test_words_at_the_read_back_are_kept_in_one_line_not_the_whole_list_again(kelly, database):
    to_check(kelly)
    text = kelly.say("Can the chair ring me before the meeting")
    assert text.startswith("Thank you, I have kept what you wrote.")
    assert "Here is everything you told me" not in text
    assert "Type send to send your answers" in text
    notes = answers(database, kelly.participant_id, question_key="check:note")
    assert [n.text for n in notes] == ["Can the chair ring me before the meeting"]


def test_hello_at_a_choice_is_not_kept_and_the_choice_is_asked_again(kelly, database):
    kelly.start()
    text = kelly.say("hello")
    assert text.startswith("Please choose one of the buttons, or type its words or its number.")
    assert text.endswith(
        "Have you seen the reports for the conference? "
        "They come from the social worker and other services."
    )
    assert answers(database, kelly.participant_id) == []


@pytest.mark.parametrize(
    "typed, option",
    [
        ("2", "partly"),
        ("the first one", "yes"),
        ("yeah I have read it", "yes"),
        ("some of it", "partly"),
        ("Parlty", "partly"),
        ("no, nobody sent it to me", "no"),
        ("I got it but have not read it", None),
        ("yes no problem", "yes"),
        ("i've read some of them", "partly"),  # "them": the reports, tried as a newcomer
        ("I haven't seen them", "no"),
    ],
)
def test_a_choice_understands_numbers_words_and_slips(typed, option):
    options = AGENDA.question("seen_report").options
    found = match_option(typed, options, AGENDA.replies)
    assert (found.key if found else None) == option


def test_a_young_person_chooses_who_sees_a_house_in_their_own_words(database):
    _, ids = conference_with(database, TEENAGER)
    ava = EngineChat(database, ids["P2"])
    ava.start()
    ava.say("football with my mates")
    ava.say("nah thats it")
    assert "Who can see your house of good things?" in ava.say("skip")
    ava.say("only the chair and my social worker pls")
    [good] = answers(database, ids["P2"], question_key="good_things")
    assert good.share_with == "chair_and_social_worker"


def test_no_to_a_childs_good_things_is_not_put_in_their_house(database):
    _, ids = conference_with(database, TEENAGER)
    ava = EngineChat(database, ids["P2"])
    ava.start()
    ava.say("no")
    assert answers(database, ids["P2"], column_key="strengths") == []


def test_the_nothing_words_are_data_and_a_sentence_is_not_nothing():
    assert means(AGENDA, "nothing further to add.", "nothing_more")
    assert not means(AGENDA, "nothing has changed since the review", "nothing_more")
    assert not means(AGENDA, "nan", "nothing_more")  # a grandmother, not "nah"


def test_after_sending_thanks_is_not_added_for_the_chair(kelly, database):
    to_check(kelly)
    kelly.say("send")
    kelly.say("Yes, share them")
    kelly.turn("add_late", "thank you")
    kelly.turn("add_late", "Leo starts nursery on Monday")
    late = [a.text for a in answers(database, kelly.participant_id) if a.late]
    assert late == ["Leo starts nursery on Monday"]


def test_you_misunderstood_with_no_alert_is_an_answer(kelly, database):
    through_preparation(kelly)
    kelly.turn("misunderstood", "you misunderstood me")
    assert [a.text for a in answers(database, kelly.participant_id, column_key="strengths")] == [
        "you misunderstood me"
    ]


def to_consent(chat: EngineChat) -> str:
    to_check(chat)
    return chat.say("send")


@pytest.mark.parametrize(
    "typed",
    ["I don't mind them being shared", "no that's fine", "no wait I want to change something"],
)
def test_consent_is_never_guessed_from_a_sentence(kelly, database, typed):
    to_consent(kelly)
    text = kelly.say(typed)
    assert "Please choose one of the buttons, so I know who may read your answers." in text
    with database.session() as session:
        from bot.model.tables import Participant

        assert session.get(Participant, kelly.participant_id).response_status != "submitted"
    notes = answers(database, kelly.participant_id, question_key="consent:note")
    assert [n.text for n in notes] == [typed]


@pytest.mark.parametrize("typed", ["all good except number 2", "fine but Leo is 5 now"])
def test_a_correction_at_the_read_back_is_not_taken_for_send(kelly, database, typed):
    to_check(kelly)
    assert kelly.say(typed).startswith("Thank you, I have kept what you wrote.")
    notes = answers(database, kelly.participant_id, question_key="check:note")
    assert [n.text for n in notes] == [typed]


def test_send_at_which_answer_sends_after_all(kelly):
    to_check(kelly)
    kelly.say("no")
    assert kelly.say("send my answers").startswith("Are you happy for your answers to be shared")


def test_changing_a_choice_at_the_read_back_keeps_it_a_choice(kelly, database):
    text = to_check(kelly)
    number = next(line.split(".")[0] for line in text.splitlines() if "Seen the report" in line)
    kelly.say("change")
    kelly.say(number)
    kelly.say("no I haven't")
    [seen] = [
        a
        for a in answers(database, kelly.participant_id, question_key="seen_report")
        if a.superseded_at is None
    ]
    assert (seen.text, seen.choice, seen.flagged) == ("No", "no", True)


@pytest.mark.parametrize(
    "typed, option",
    [
        ("everyone except my dad", None),
        ("yes but I don't agree with it", None),
        ("no, only part of it", None),
        ("no not yet", "not_yet"),
        ("not shared yet", "not_yet"),
        ("come", None),
    ],
)
def test_a_sentence_that_qualifies_a_choice_is_not_guessed(typed, option):
    keys = {"everyone": "share_good_things", "yes but": "seen_report", "no, only": "seen_report"}
    question = next((k for prefix, k in keys.items() if typed.startswith(prefix)), None)
    question = question or ("attend" if typed == "come" else "report_shared")
    found = match_option(typed, AGENDA.question(question).options, AGENDA.replies)
    assert (found.key if found else None) == option


@pytest.mark.parametrize("typed", ["Kay", "😢", "night"])
def test_a_short_answer_is_an_answer_not_small_talk(kelly, database, typed):
    through_preparation(kelly)
    kelly.say(typed)
    assert [a.text for a in answers(database, kelly.participant_id, column_key="strengths")] == [
        typed
    ]


def test_which_child_understands_names_in_a_sentence_only_when_that_is_all(kelly, database):
    through_preparation(kelly)
    assert "Is this about Ava or Leo?" in kelly.say("We go swimming")
    kelly.say("Leo started nursery and loves it")  # at the prompt: more words, not a choice
    (swimming,) = answers(database, kelly.participant_id, column_key="strengths")
    assert swimming.children == ["A", "B"]
    notes = answers(database, kelly.participant_id, question_key="strengths:note")
    assert [n.text for n in notes] == ["Leo started nursery and loves it"]
    assert "Is this about" not in kelly.say("Ava and Leo bake on Sundays")
    assert answers(database, kelly.participant_id, column_key="strengths")[-1].children == [
        "A",
        "B",
    ]


def test_no_thanks_after_sending_is_not_added_for_the_chair(kelly, database):
    to_consent(kelly)
    kelly.say("Yes, share them")
    assert kelly.turn("add_late", "no thanks, bye")[0].text.startswith("Thank you, Kelly.")
    assert [a for a in answers(database, kelly.participant_id) if a.late] == []


def test_more_words_at_which_child_are_kept_and_the_report_moves_on(database):
    initial = DEMO.replace("type: review", "type: initial").replace(
        "    previous_scores: {P1: 4, P3: 3}\n", ""
    )
    _, ids = conference_with(database, initial)  # the report starts with the dangers
    jo = EngineChat(database, ids["P3"])
    jo.start()
    jo.say("Police attended in March after a fight")
    text = jo.say("Ava has been withdrawn in class since then")
    assert text.endswith("What have the children experienced, and how does it affect them?")
    past = answers(database, ids["P3"], question_key="past_harm")
    assert [(a.text, a.children) for a in past] == [
        ("Police attended in March after a fight", ["A", "B"]),
    ]  # the words at "which child?" are not filed as one more answer: kept for the chair
    notes = answers(database, ids["P3"], question_key="past_harm:note")
    assert [n.text for n in notes] == ["Ava has been withdrawn in class since then"]


def test_nobody_is_stuck_at_a_choice_their_words_are_kept_and_we_go_on(kelly, database):
    kelly.start()
    assert kelly.say("why does it say I was drunk in June").endswith("and other services.")
    text = kelly.say("I'm scared they'll take the kids")
    assert text.startswith("Thank you, I have kept what you wrote for the chair. Let's go on")
    assert text.endswith("Do you have any questions about the reports? Type them here.")
    notes = [
        n.text for n in answers(database, kelly.participant_id, question_key="seen_report:note")
    ]
    assert notes == ["why does it say I was drunk in June", "I'm scared they'll take the kids"]
