"""Safeguarding through the real stack: help mid-form in every flow, the script for the
person's age and role, the alert and its outbox, the fake Notify's request, the words kept
as the answer and the conversation moving on, and nothing of it in what the family can see."""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from bot.model.database import Database
from bot.model.tables import Answer, Notification, SafeguardingAlert
from bot.summary.build import build_summary
from bot.summary.markdown import to_markdown
from tests.conftest import EXAMPLES
from tests.fake_notify import EMAIL_TEMPLATE, SMS_TEMPLATE
from tests.test_conversation_paths import import_demo


def texts(replies) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def alerts_for(stack, conference_id):
    database = Database(stack.settings)
    with database.session() as session:
        found = (
            session.execute(
                select(SafeguardingAlert)
                .where(SafeguardingAlert.conference_id == conference_id)
                .order_by(SafeguardingAlert.id)
            )
            .scalars()
            .all()
        )
        rows = [(a.kind, a.text, a.participant.key, a.disputed_text) for a in found]
        outbox = session.execute(
            select(Notification.channel, Notification.recipient, Notification.recipient_role)
            .join(SafeguardingAlert)
            .where(SafeguardingAlert.conference_id == conference_id)
        ).all()
    database.dispose()
    return rows, sorted(outbox)


def test_a_parent_mid_form_gets_help_her_answer_kept_then_the_next_question(stack, fake_notify):
    conference = import_demo(stack.env)
    stack.say("sg:kelly", f"/start {conference['P1']}")
    stack.say("sg:kelly", "No")  # not seen: no "did someone go through them?"
    replies = stack.say("sg:kelly", "my partner is hitting me right now")
    said = texts(replies)
    assert "I have kept what you wrote" in said
    assert "call 999" in said and "0808 800 5000" in said
    assert "0808 2000 247" in said  # the domestic abuse helpline, for parents and carers
    assert "Out-of-hours social care: call 01632 960 123" in said  # from the conference file
    assert "may not read it until the next working day" in said  # no promise of "today"
    assert "What worries you about the meeting" in replies[-1]["text"]  # on, not again
    rows, outbox = alerts_for(stack, conference["id"])
    assert rows == [("immediate_danger", "my partner is hitting me right now", "P1", None)]
    assert outbox == [
        ("email", "jo.brown@example.gov.uk", "social_worker"),
        ("email", "sam.patel@example.gov.uk", "chair"),
        ("sms", "07700900001", "social_worker"),
    ]
    deadline = time.monotonic() + 20
    while len(_for(fake_notify, conference)) < 3 and time.monotonic() < deadline:
        time.sleep(0.3)
    received = _for(fake_notify, conference)
    assert sorted(r["template_id"] for r in received) == sorted(
        [EMAIL_TEMPLATE] * 2 + [SMS_TEMPLATE]
    )
    assert all("partner" not in json.dumps(r) for r in received)  # the words stay in the app
    # The disclosure is her answer, for the chair: nothing the family can see holds it.
    database = Database(stack.settings)
    with database.session() as session:
        family = build_summary(session, conference["id"], "family")
        chair = build_summary(session, conference["id"], "chair")
    database.dispose()
    words = "my partner is hitting me right now"
    assert family["alerts"] == [] and words not in json.dumps(family)
    assert words not in to_markdown(family)
    assert chair["alerts"][0]["text"] == "my partner is hitting me right now"
    kept = [item["text"] for item in chair["for_chair"] if item["participant"] == "P1"]
    assert kept == ["No", "my partner is hitting me right now"]  # her answers, both kept
    # And the conversation carries on.
    assert "What would help you" in stack.say("sg:kelly", "Nothing")[-1]["text"]


def _for(fake_notify, conference) -> list[dict]:
    return fake_notify.about(conference["id"])


def test_a_younger_child_hears_the_script_for_their_age(stack):
    conference = import_demo(stack.env)
    stack.say("sg:ava", f"/start {conference['P2']}")
    replies = stack.say("sg:ava", "my dad hits me")
    said = texts(replies)
    assert "You are not in trouble" in said and "0800 1111" in said
    assert "ask a grown-up you trust" in said
    assert "Shout" not in said  # the older band's list
    assert "Who makes you feel safe?" in replies[-1]["text"]  # her words kept in the house
    rows, _ = alerts_for(stack, conference["id"])
    assert rows == [("immediate_danger", "my dad hits me", "P2", None)]


def test_a_teenager_hears_their_script_and_can_say_it_was_misunderstood(stack, tmp_path):
    teen = tmp_path / "teen.yml"
    teen.write_text((EXAMPLES / "demo-conference.yml").read_text().replace("age: 9", "age: 14"))
    conference = import_demo({**stack.env}, teen)
    stack.say("sg:teen", f"/start {conference['P2']}")
    said = texts(stack.say("sg:teen", "i wanna kill myself"))
    assert "text SHOUT to 85258" in said and "116 123" in said
    reply = stack.say("sg:teen", "you misunderstood")
    assert "I have added that to what I passed on" in texts(reply)
    rows, _ = alerts_for(stack, conference["id"])
    assert rows == [("immediate_danger", "i wanna kill myself", "P2", "you misunderstood")]


def test_a_professional_reporting_danger_is_interrupted_too(stack):
    conference = import_demo(stack.env)
    stack.say("sg:gp", f"/start {conference['P4']}")
    replies = stack.say("sg:gp", "Ava told me today that she wants to kill herself")
    said = texts(replies)
    assert "Follow your own agency's safeguarding steps now" in said
    assert "0800 1111" not in said and "Samaritans" not in said  # no helplines for families
    assert "strengths and protective factors" in replies[-1]["text"]  # on to the next


def test_a_concern_is_recorded_without_interrupting(stack):
    conference = import_demo(stack.env)
    stack.say("sg:concern", f"/start {conference['P1']}")
    for text in ("yes", "skip", "skip", "skip", "skip"):
        stack.say("sg:concern", text)
    replies = stack.say("sg:concern", "he doesnt hit us any more")
    assert "999" not in texts(replies)
    assert "Is this about Ava or Leo?" in replies[-1]["text"]  # the answer was taken
    rows, outbox = alerts_for(stack, conference["id"])
    assert rows == [("concern", "he doesnt hit us any more", "P1", None)]
    assert outbox == []  # a concern is for the chair's reading, not an emergency message


def test_rasa_intent_syntax_does_not_get_round_the_detector(stack):
    conference = import_demo(stack.env)
    stack.say("sg:bypass", f"/start {conference['P1']}")
    replies = stack.say("sg:bypass", "/inform@1 my dad hits me right now")
    assert "call 999" in texts(replies)
    assert "questions about the reports" in replies[-1]["text"]  # on to the next question
    rows, _ = alerts_for(stack, conference["id"])
    assert [(kind, key) for kind, _, key, _ in rows] == [("immediate_danger", "P1")]
    database = Database(stack.settings)
    with database.session() as session:
        notes = [(a.question_key, a.text) for a in session.execute(select(Answer)).scalars()
                 if a.participant.conference_id == conference["id"]]  # fmt: skip
    database.dispose()
    # kept word for word as typed, a note for the chair at the question it was typed at
    assert notes == [("seen_report:note", "/inform@1 my dad hits me right now")]


def test_typing_disclosure_is_just_text_and_raises_nothing(stack):
    conference = import_demo(stack.env)
    stack.say("sg:typed-intent", f"/start {conference['P1']}")
    stack.say("sg:typed-intent", "No")
    replies = stack.say("sg:typed-intent", "/disclosure")
    assert "call 999" not in texts(replies)
    assert "What worries you about the meeting" in replies[-1]["text"]  # taken as an answer
    rows, _ = alerts_for(stack, conference["id"])
    assert rows == []
    database = Database(stack.settings)
    with database.session() as session:
        stored = [
            a.text for a in session.execute(select(Answer)).scalars() if a.text == "/disclosure"
        ]
    database.dispose()
    assert stored == ["/disclosure"]  # word for word, as typed


def test_start_with_rasa_syntax_cannot_hide_a_disclosure(stack):
    conference = import_demo(stack.env)
    stack.say("sg:start-at", f"/start {conference['P1']}")
    replies = stack.say("sg:start-at", "/start@1 my dad is hitting me")
    assert "call 999" in texts(replies)
    rows, _ = alerts_for(stack, conference["id"])
    assert [(kind, key) for kind, _, key, _ in rows] == [("immediate_danger", "P1")]


def test_a_person_cannot_send_rasa_intents(stack):
    conference = import_demo(stack.env)
    stack.say("sg:intents", f"/start {conference['P1']}")
    replies = stack.say("sg:intents", '/misunderstood{"x": "y"}')
    assert "Have you seen the reports for the conference" in replies[-1]["text"]  # asked again
    assert "I have kept what you wrote" in texts(replies)  # a note, not a command


def test_a_disclosure_from_someone_not_joined_reaches_the_duty_inbox(stack, fake_notify):
    replies = stack.say("sg:locked-out", "i want to kill myself")
    assert "call 999" in texts(replies)
    database = Database(stack.settings)
    with database.session() as session:
        [alert] = [  # the words are encrypted at rest: found by reading them back
            a
            for a in session.execute(select(SafeguardingAlert)).scalars()
            if a.text == "i want to kill myself"
        ]
        assert (alert.participant_id, alert.conference_id, alert.kind) == (
            None,
            None,
            "immediate_danger",
        )
        outbox = session.execute(
            select(Notification.channel, Notification.recipient, Notification.recipient_role).where(
                Notification.alert_id == alert.id
            )
        ).all()
    database.dispose()
    assert outbox == [("email", "duty@example.gov.uk", "duty")]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the web app's outbox delivers it to (fake) Notify
        sent = [r for r in fake_notify.received if r.get("email_address") == "duty@example.gov.uk"]
        if sent:
            break
        time.sleep(0.5)
    assert sent and "kill" not in json.dumps(sent[0])  # the words never travel by email


def test_the_check_through_the_stack_by_its_payloads(stack, fake_notify):
    """Unsure words: the answer kept and "Are you safe right now?" asked with buttons whose
    payloads are safe_now and not_safe_now; "not now" there is the check's "no", not a
    pause; a second check answered not_safe_now brings the help and tells the social worker."""
    conference = import_demo(stack.env)
    stack.say("sg:check", f"/start {conference['P1']}")
    replies = stack.say("sg:check", "He left the kids home alone, but he has moved out now")
    asked = replies[-1]
    assert asked["text"] == "Are you, or is any child, in danger right now?"
    assert [b["payload"] for b in asked["buttons"]][:2] == ["safe_now", "not_safe_now"]
    said = texts(stack.say("sg:check", "not now"))
    assert "Let's carry on" in said and "Your answers so far are saved" not in said
    stack.say("sg:check", "Partly")  # the reports question, which she had not seen yet
    stack.say("sg:check", "skip")
    replies = stack.say("sg:check", "he used to leave them home alone at night")
    assert replies[-1]["buttons"][1]["payload"] == "not_safe_now"
    said = texts(stack.say("sg:check", "not_safe_now"))  # the button pressed
    assert "call 999" in said and "0808 800 5000" in said
    rows, outbox = alerts_for(stack, conference["id"])
    assert [(kind, text) for kind, text, *_ in rows] == [
        ("concern", "He left the kids home alone, but he has moved out now"),
        ("immediate_danger", "he used to leave them home alone at night"),
    ]
    assert {role for _, _, role in outbox} == {"social_worker", "chair"}
