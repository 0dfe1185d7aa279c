"""Safeguarding that helps without taking over (the conversation engine, as the action
server drives it): every answer kept, help once in half an hour then a short line, an
honest answer to a question after help, the check in the unsure middle, and words judged
by the question and the person."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.model.tables import Answer, Notification, SafeguardingAlert
from tests.conftest import EXAMPLES, EngineChat, conference_with

DEMO = (EXAMPLES / "demo-conference.yml").read_text()


@pytest.fixture
def ids(database):
    return conference_with(database, DEMO)[1]


def alerts(database, participant_id):
    with database.session() as session:
        found = session.execute(
            select(SafeguardingAlert)
            .where(SafeguardingAlert.participant_id == participant_id)
            .order_by(SafeguardingAlert.id)
        ).scalars()
        return [(a.kind, a.text, a.answer.text if a.answer else None, a.check_reply)
                for a in found]  # fmt: skip


def answers(database, participant_id, key):
    with database.session() as session:
        query = select(Answer).where(
            Answer.participant_id == participant_id, Answer.question_key == key
        )
        return [a.text for a in session.execute(query).scalars()]


def notifications(database) -> int:
    with database.session() as session:
        return len(session.execute(select(Notification)).scalars().all())


def test_a_childs_disclosure_is_her_answer_and_the_next_question_follows(database, ids):
    ava = EngineChat(database, ids["P2"])
    ava.start()
    said = ava.say("my dad hits me")
    assert "You are not in trouble" in said and "0800 1111" in said
    assert said.endswith("Who makes you feel safe?")  # on, not the same question again
    assert "Is there anything else?" not in said
    assert answers(database, ids["P2"], "good_things") == ["my dad hits me"]
    assert alerts(database, ids["P2"]) == [
        ("immediate_danger", "my dad hits me", "my dad hits me", None)
    ]


def test_the_full_help_once_in_half_an_hour_then_one_short_line(database, ids):
    ava = EngineChat(database, ids["P2"])
    ava.start()
    first = ava.say("my dad hits me")
    second = ava.say("he hit my brother too")
    assert first.count("0800 1111") == 1 and "ask a grown-up you trust" in first
    assert "ask a grown-up you trust" not in second  # not the whole script again
    assert "I have kept that too" in second and "999" in second and "0800 1111" in second
    assert [kind for kind, *_ in alerts(database, ids["P2"])] == ["immediate_danger"] * 2
    assert "he hit my brother too" in answers(database, ids["P2"], "feel_safe")


def test_a_question_after_help_gets_an_honest_answer_not_the_script(database, ids):
    ava = EngineChat(database, ids["P2"])
    ava.start()
    ava.say("my dad hits me")
    said = ava.say("will dad get in trouble? please dont tell him i said")
    assert "I can't keep it a secret" in said and "You are not in trouble" in said
    assert "ask a grown-up you trust" not in said  # the short line, not the script
    assert "0800 1111" in said
    assert said.endswith("Who makes you feel safe?")  # still the question she was at
    notes = answers(database, ids["P2"], "feel_safe:note")
    assert notes == ["will dad get in trouble? please dont tell him i said"]


def through_to_report_wrong(kelly: EngineChat) -> str:
    kelly.start()
    for text in (
        "Partly",
        "skip",
        "skip",
        "skip",
        "skip",  # preparation
        "skip",
        "skip",
        "skip",
        "skip",
    ):  # working well; what they worry about
        said = kelly.say(text)
    return said


def test_a_parent_disputing_the_report_is_answering_not_disclosing(database, ids):
    kelly = EngineChat(database, ids["P1"])
    asked = through_to_report_wrong(kelly)
    assert asked.endswith("Is anything in the reports wrong, or missing? Tell me what.")
    dispute = ("Why does the report say I left the kids on their own on the 3rd of March? "
               "That is not true.")  # fmt: skip
    said = kelly.say(dispute)
    assert "999" not in said and "social worker" not in said
    assert answers(database, ids["P1"], "report_wrong") == [dispute]
    assert alerts(database, ids["P1"]) == []


def test_a_button_press_is_never_a_concern(database, ids):
    kelly = EngineChat(database, ids["P1"])
    kelly.start()
    for text in ("Partly", "skip", "skip", "skip"):
        kelly.say(text)
    kelly.say("Someone with me")  # a suggestion button at "what would help you"
    assert alerts(database, ids["P1"]) == []


def test_a_plain_reply_of_none_is_never_a_check(database, ids):
    """The classifier reads "said it all" as a goodbye; to a question it is a reply of none."""
    kelly = EngineChat(database, ids["P1"])
    kelly.start()
    kelly.say("skip")  # the reports
    assert "worries you about the meeting" in kelly.say("Who reads the police report?")
    said = kelly.say("I think I have said it all")
    assert "danger right now" not in said and "999" not in said
    assert "What would help you during the meeting?" in said
    assert alerts(database, ids["P1"]) == []


def test_a_childs_goodbye_in_words_of_none_still_gets_help(database, ids):
    """ "i'm done" is a reply of none; with "goodbye" the harm words are heard."""
    ava = EngineChat(database, ids["P2"])
    ava.start()
    said = ava.say("i'm done. goodbye")
    assert "Childline" in said
    [(kind, text, _, _)] = alerts(database, ids["P2"])
    assert (kind, text) == ("immediate_danger", "i'm done. goodbye")


def check_at_seen_report(database, ids) -> tuple[EngineChat, list]:
    kelly = EngineChat(database, ids["P1"])
    kelly.start()
    replies = kelly.replies("He left the kids home alone, but he has moved out now")
    return kelly, replies


def test_unsure_asks_one_check_and_no_is_a_concern_and_the_questions_go_on(database, ids):
    kelly, replies = check_at_seen_report(database, ids)
    assert replies[-1].text == "Are you, or is any child, in danger right now?"
    assert [b["payload"] for b in replies[-1].buttons][:2] == ["safe_now", "not_safe_now"]
    said = kelly.say("not now")  # at the check, "not now" is its "no", not a pause
    assert "Thank you. I have kept what you wrote" in said and "999" not in said
    assert said.endswith("and other services.")  # the question she was at, with her note kept
    [(kind, text, _, reply)] = alerts(database, ids["P1"])
    assert (kind, reply) == ("concern", "safe_now")
    assert notifications(database) == 0


def test_not_sure_at_the_check_brings_the_full_help_and_tells_the_social_worker(database, ids):
    kelly, _ = check_at_seen_report(database, ids)
    said = kelly.say("I'm not sure")
    assert "call 999" in said and "0808 800 5000" in said
    [(kind, *_, reply)] = alerts(database, ids["P1"])
    assert (kind, reply) == ("immediate_danger", "unsure")
    assert notifications(database) > 0


def test_a_parents_fear_of_the_process_is_an_answer_not_a_check(database, ids):
    kelly = EngineChat(database, ids["P1"])
    kelly.start()
    said = kelly.say("I'm scared they'll take the kids")
    assert "danger right now" not in said and "999" not in said
    assert alerts(database, ids["P1"]) == []


def test_a_professional_is_told_to_follow_procedures_not_given_childline(database, ids):
    gp = EngineChat(database, ids["P4"])
    gp.start()
    said = gp.say(
        "On my visit today the baby was not breathing properly and the parents refused an ambulance"
    )
    assert "Follow your own agency's safeguarding steps" in said and "999" in said
    assert "0800 1111" not in said and "0808 800 5000" not in said and "Shout" not in said
    assert "Out-of-hours social care" in said


def test_other_words_at_the_check_are_kept_with_the_numbers(database, ids):
    kelly, _ = check_at_seen_report(database, ids)
    said = kelly.say("Partly")  # not a reply to the check, nor to a question she has not seen
    assert "999" in said and "0808 800 5000" not in said  # the short line, not the script
    assert said.endswith("They come from the social worker and other services.")
    assert "Partly" in answers(database, ids["P1"], "seen_report:note")
    [(kind, *_, reply)] = alerts(database, ids["P1"])
    assert (kind, reply) == ("concern", None)
    assert notifications(database) == 0


def test_a_natural_reply_to_the_check_answers_it_not_the_question_behind_it(database, ids):
    kelly, _ = check_at_seen_report(database, ids)
    said = kelly.say("No, they're fine")
    assert "Thank you. I have kept what you wrote" in said
    assert said.endswith("and other services.")  # the reports question, not yet answered
    assert answers(database, ids["P1"], "seen_report") == []
    [(_, *_, reply)] = alerts(database, ids["P1"])
    assert reply == "safe_now"


def test_skip_at_the_check_leaves_the_check_not_the_question_she_has_not_seen(database, ids):
    kelly, _ = check_at_seen_report(database, ids)
    said = kelly.say("skip")
    assert "999" in said and said.endswith("and other services.")
    assert answers(database, ids["P1"], "seen_report") == []


def test_a_child_asked_whether_she_wants_to_stop_answers_that_first(database, ids):
    ava = EngineChat(database, ids["P2"])
    ava.start()
    assert "Are you safe right now?" in ava.say(
        "sometimes I think everyone would be happier if I wasnt born"
    )
    assert "Do you want to stop the chat" in ava.say("stop")
    said = ava.say("yes")
    assert "we have stopped" in said
    [(kind, *_, reply)] = alerts(database, ids["P2"])
    assert (kind, reply) == ("immediate_danger", None)  # told to the social worker anyway


def test_ordinary_words_after_help_are_answers_not_questions_to_the_chat(database, ids):
    ava = EngineChat(database, ids["P2"])
    ava.start()
    ava.say("my dad hits me")
    said = ava.say("my teacher says I never get in trouble at school now")
    assert "I can't keep it a secret" not in said
    assert answers(database, ids["P2"], "feel_safe") == [
        "my teacher says I never get in trouble at school now"
    ]


def test_a_score_with_words_keeps_the_words_beside_the_score(database, ids):
    kelly = EngineChat(database, ids["P1"])
    kelly.start()
    said = kelly.say("Partly")
    for _ in range(40):
        if "On a scale from 0 to 10" in said:
            break
        said = kelly.say("skip")
    assert "On a scale from 0 to 10" in said
    kelly.say("2 because my partner hit me last night")
    [(kind, text, kept, _)] = alerts(database, ids["P1"])
    assert kept == "2 because my partner hit me last night"


def test_a_question_after_help_is_not_a_new_alert(database, ids):
    ava = EngineChat(database, ids["P2"])
    ava.start()
    ava.say("my dad hits me")
    ava.say("will mum get in trouble? please dont tell her i said")
    assert [text for _, text, *_ in alerts(database, ids["P2"])] == ["my dad hits me"]
