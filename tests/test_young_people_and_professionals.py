"""Young people's Three Houses and professionals' reports: the same engine, other agendas."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.model.tables import Answer, Participant, Score
from bot.summary.build import build_summary
from bot.summary.markdown import to_markdown
from tests.conftest import EXAMPLES, EngineChat, conference_with

DEMO = (EXAMPLES / "demo-conference.yml").read_text()
TEENAGER = DEMO.replace("{key: A, name: Ava, age: 9}", "{key: A, name: Ava, age: 14}")
INITIAL = DEMO.replace("type: review", "type: initial").replace(
    "    previous_scores: {P1: 4, P3: 3}\n", ""
)


def chat_for(database, text, key):
    conference_id, ids = conference_with(database, text)
    return conference_id, EngineChat(database, ids[key])


def current_answers(database, participant_id):
    with database.session() as session:
        return (
            session.execute(
                select(Answer)
                .where(Answer.participant_id == participant_id, Answer.superseded_at.is_(None))
                .order_by(Answer.id)
            )
            .scalars()
            .all()
        )


def test_a_younger_child_gets_short_words_and_no_scale(database):
    _, ava = chat_for(database, DEMO, "P2")
    text = ava.start()
    assert text.startswith("Hi Ava! There is a meeting about you and your family")
    assert "so that a grown-up can help keep you safe" in text
    assert [step.question.key for step in _steps(ava)].count("young_scale") == 0


def test_a_teenager_is_offered_the_scale_with_faces(database):
    _, ava = chat_for(database, TEENAGER, "P2")
    welcome = ava.start()
    assert "I will tell your social worker, so" in welcome and "today" not in welcome
    for text in ("My friends", "no", "skip", "everyone", "skip", "skip", "No", "No", "No"):
        ava.say(text)
    assert ava.buttons()[0] == "0 😢" and ava.buttons()[10] == "10 😀"
    assert "Why did you choose 7?" in ava.say("7 🙂")


def _to_the_scale(ava) -> str:
    ava.start()
    for text in ("My friends", "no", "skip", "everyone", "skip", "skip", "No", "No"):
        ava.say(text)
    return ava.say("No")


def test_a_teenager_sees_the_social_workers_words_for_them_never_the_adults(database):
    _, ava = chat_for(database, TEENAGER, "P2")
    question = _to_the_scale(ava)
    assert "Sometimes mum and dad's arguments turn into hitting" in question
    assert "Children's social care, the school and the police" not in question
    assert "0 is not safe at all. 10 is really safe." in question


def test_without_words_for_a_child_the_scale_asks_once_how_safe_they_feel(database):
    plain = (
        TEENAGER.split("    for_young_people:")[0]
        + "participants:"
        + TEENAGER.split("participants:")[1]
    )
    second = "  - {key: D2, danger: Dad's drinking, safety_goal: Dad stays sober, children: [A]}\n"
    plain = plain.replace("participants:", second + "participants:")
    _, ava = chat_for(database, plain, "P2")
    question = _to_the_scale(ava)
    assert "\nOne more. How safe do you feel?" in question
    assert "drinking" not in question and "hitting" not in question
    assert [s.id for s in _steps(ava)].count("young_scale@D2") == 0  # asked once, not twice
    assert [s.id for s in _steps(ava)].count("young_scale@D1") == 1


def _steps(chat):
    from bot.dialogue.conversation import Conversation
    from bot.model.tables import Participant

    with chat.database.session() as session:
        return Conversation(
            session, session.get(Participant, chat.participant_id), chat.agenda
        ).steps


def test_who_may_see_a_house_applies_to_all_its_answers(database):
    conference_id, ava = chat_for(database, DEMO, "P2")
    ava.start()
    for text in ("My dog", "no", "Nan", "no", "everyone", "Dad shouting"):
        ava.say(text)
    # "Being hit" brings help at once, kept in her house, and then who may see the house
    # (not "anything else?" straight after help).
    assert "0800 1111" in ava.say("Being hit")
    only = "Only my social worker and the chair (they may need to share it to keep you safe)"
    assert ava.buttons() == ["Everyone at the meeting, including my family", only]
    assert "House of dreams" in ava.say("Only my social worker and the chair")  # typed
    shared = {a.text: a.share_with for a in current_answers(database, ava.participant_id)}
    assert shared == {
        "My dog": "everyone",
        "Nan": "everyone",
        "Dad shouting": "chair_and_social_worker",
        "Being hit": "chair_and_social_worker",
    }
    with database.session() as session:
        family = build_summary(session, conference_id, "family")
        chair = build_summary(session, conference_id, "chair")
    for family_facing in (json.dumps(family), to_markdown(family)):
        assert "Dad shouting" not in family_facing and "Being hit" not in family_facing
    assert [v["text"] for v in chair["child_voice"]] == [
        "My dog",
        "Nan",
        "Dad shouting",
        "Being hit",
    ]
    assert all(item.get("child_voice") for item in chair["columns"]["worries"])


def test_an_empty_house_is_not_asked_who_may_see_it(database):
    _, ava = chat_for(database, DEMO, "P2")
    ava.start()
    ava.say("skip")  # good things
    after = ava.say("skip")  # who makes you feel safe: the house is empty
    assert "Who can see" not in after and "House of worries" in after


def test_a_recommendation_of_a_plan_asks_for_the_category(database):
    _, jo = chat_for(database, DEMO, "P3")
    jo.start()
    for text in ["skip"] * 12:  # at a review: working well, progress, then the worries
        jo.say(text)
    jo.say("4")
    jo.say("reason")
    assert "What is your recommendation" in jo.say("next")
    assert "Under which category?" in jo.say("Child protection plan")
    assert "shared your report" in jo.say("Neglect")
    assert "needs for the meeting" in jo.say("Not yet")  # no "when" without a yes
    assert "Here is everything" in jo.say("None known")
    choices = {a.question_key: a.choice for a in current_answers(database, jo.participant_id)}
    assert choices == {
        "recommendation": "cp_plan",
        "category": "neglect",
        "report_shared": "not_yet",
        "access_needs": "none",  # "None known" is an answer of none, not a skip
    }
    flagged = [a.question_key for a in current_answers(database, jo.participant_id) if a.flagged]
    assert flagged == ["report_shared"]
    with database.session() as session:
        assert session.execute(select(Score.score)).scalar_one() == 4


def test_no_plan_skips_the_category(database):
    _, jo = chat_for(database, DEMO, "P3")
    jo.start()
    for text in ["skip"] * 12 + ["skip"]:
        jo.say(text)
    assert "shared your report" in jo.say("Child in need plan")


def test_the_welcome_gives_the_report_deadline_in_working_days(database):
    _, jo = chat_for(database, INITIAL, "P3")
    # Initial conference on Tuesday 15 December 2026: 2 working days before.
    welcome = jo.start()
    assert "Please share your report with the family by Friday 11 December 2026" in welcome
    assert "the family will read this" in welcome


def test_a_child_under_12_is_offered_the_chair_or_a_picture_not_the_meeting(database):
    _, ava = chat_for(database, DEMO, "P2")  # Ava is 9
    keys = [s.id for s in _steps(ava)]
    assert "meet_the_chair" in keys and "attend" not in keys
    _, teenager = chat_for(database, TEENAGER, "P2")
    keys = [s.id for s in _steps(teenager)]
    assert "attend" in keys and "meet_the_chair" not in keys


def test_a_child_who_asks_for_help_is_shown_help_now_first(database):
    _, ava = chat_for(database, DEMO, "P2")
    ava.start()
    text = ava.say("i need help")
    assert text.startswith("If you are in danger now, call 999.")
    assert "Childline" in text and "0800 1111" in text
    assert "back, skip, pause or stop" in text


def test_stop_from_a_child_asks_once_and_carrying_on_keeps_the_question(database):
    _, ava = chat_for(database, DEMO, "P2")
    ava.start()
    ava.say("My dog")
    [asked, *_] = ava.turn("stop")
    # "please stop" may be about someone, not the chat: how to get help comes first
    assert asked.text.startswith("If someone is hurting you, or you are in danger now, call 999.")
    assert "Childline" in asked.text
    assert "Do you want to stop the chat for now? Your answers are kept." in asked.text
    assert [b["title"] for b in asked.buttons] == ["Yes, stop for now", "No, carry on"]
    assert "anything else" in ava.say("No, carry on").lower()  # the same question again
    ava.say("stop")
    assert ava.say("stop").startswith("OK, we have stopped. Your answers are saved.")
    assert [a.text for a in current_answers(database, ava.participant_id)] == ["My dog"]


def test_a_child_who_types_yes_at_the_stop_check_stops(database):
    _, ava = chat_for(database, DEMO, "P2")
    ava.start()
    ava.say("stop")
    assert ava.say("yes").startswith("OK, we have stopped. Your answers are saved.")
    assert current_answers(database, ava.participant_id) == []  # "yes" is not an answer


def test_a_paused_child_who_says_stop_is_stopped_without_the_check(database):
    _, ava = chat_for(database, DEMO, "P2")
    ava.start()
    ava.say("pause")
    assert ava.say("stop").startswith("OK, we have stopped. Your answers are saved.")


def test_sending_the_houses_is_a_real_choice(database):
    _, ava = chat_for(database, DEMO, "P2")
    ava.start()
    text = ava.say("My dog")
    for _ in range(30):  # everything else skipped, up to the read-back
        if "Send my answers" in ava.buttons():
            break
        text = ava.say("skip")
    assert "1. My dog" in text
    assert "Shall I send your houses" in ava.say("Send my answers")
    assert ava.buttons() == [
        "Yes, send them",
        "Not yet, I want to change something",
        "Not now, I'll finish later",
    ]
    # Not yet: the read-back again, where any answer can be changed
    again = ava.say("Not yet, I want to change something")
    assert "1. My dog" in again and "Change an answer" in ava.buttons()
    ava.say("Send my answers")
    # Later: paused, in a child's words, and nothing sent
    assert ava.say("Not now, I'll finish later").startswith("That's fine. Your answers are saved.")
    with database.session() as session:
        assert session.get(Participant, ava.participant_id).response_status != "submitted"
    assert "Shall I send your houses" in ava.start()
    assert "gone to the chair" in ava.say("yes send them")
    with database.session() as session:
        assert session.get(Participant, ava.participant_id).response_status == "submitted"
