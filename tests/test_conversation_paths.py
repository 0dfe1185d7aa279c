"""Whole conversations through the real stack (Rasa REST webhook), checked in the
database: a parent, a young person, a social worker; and a restart of the whole stack in
the middle resumes at the same question."""

from __future__ import annotations

import json

import pytest
import yaml
from sqlalchemy import select

from bot.model.database import Database
from bot.model.tables import Answer, Participant, Score
from bot.summary.build import build_summary
from bot.summary.markdown import to_markdown
from tests.conftest import EXAMPLES, Launcher, import_conference, stack_environment

DATA = EXAMPLES.parent / "tests" / "data"
PATH = yaml.safe_load((DATA / "family_review_path.yml").read_text())


def import_demo(env, path=EXAMPLES / "demo-conference.yml") -> dict:
    return import_conference(env, path)


def walk(launcher, sender: str, turns: list[dict], code: str) -> None:
    for turn in turns:
        replies = launcher.say(sender, turn["say"].format(code=code))
        assert replies, f"no reply to {turn['say']!r}"
        assert turn["expect"] in replies[-1]["text"], (turn, replies)


def participant(session, conference, key):
    return session.execute(
        select(Participant).where(
            Participant.conference_id == conference["id"], Participant.key == key
        )
    ).scalar_one()


def current(session, model, participant_id):
    return (
        session.execute(
            select(model)
            .where(model.participant_id == participant_id, model.superseded_at.is_(None))
            .order_by(model.id)
        )
        .scalars()
        .all()
    )


def test_a_parents_whole_review_conversation_lands_in_the_columns(stack):
    conference = import_demo(stack.env)
    walk(stack, "e2e:kelly", PATH, conference["P1"])
    database = Database(stack.settings)
    with database.session() as session:
        kelly = participant(session, conference, "P1")
        assert (kelly.response_status, kelly.consent_to_share) == ("submitted", True)
        by_column = [
            (a.column_key, a.text, a.children)
            for a in current(session, Answer, kelly.id)
            if a.column_key
        ]
        assert by_column == [
            ("strengths", "We go to the park every Sunday", ["A"]),
            ("strengths", "Leo loves his nursery", ["B"]),
            ("safety", "I stay calm and take the kids out when there is shouting", ["A", "B"]),
            ("safety", "The plan has helped us talk about arguments", ["A", "B"]),
            ("grey_areas", "That the kids see us argue and get scared", ["A", "B"]),
            ("grey_areas", "It says I missed appointments but I rang both times", ["A", "B"]),
            ("worries", "I want the shouting to stop", ["A", "B"]),
            ("complicating_factors", "Money is tight since I lost my job", ["A", "B"]),
            ("next_steps", "A parenting course", ["A", "B"]),
            ("next_steps", "My mum has the kids on Saturdays", ["A", "B"]),
            ("next_steps", "I would ring my mum and take the kids to hers", ["A", "B"]),
            ("next_steps", "Fewer arguments in front of the children", ["A", "B"]),
            ("next_steps", "Help with the rent", ["A", "B"]),
        ]
        for_chair = {
            a.question_key: a.text for a in current(session, Answer, kelly.id) if not a.column_key
        }
        assert for_chair["seen_report"] == "Partly"
        assert for_chair["anything_else"] == "I am nervous about the meeting"
        # "Nothing missing" is an answer of none, for the chair: in no column
        assert for_chair["plan_missing"] == "Nothing missing"
        [score] = current(session, Score, kelly.id)
        assert (score.score, score.reason, score.next_point) == (
            6,
            "We have had no fights since March",
            "Keep going with the course",
        )
    database.dispose()


@pytest.fixture
def own_stack(tmp_path):
    env = stack_environment(tmp_path)
    launcher = Launcher(env)
    launcher.wait_ready()
    yield launcher
    launcher.stop()


def test_a_restart_in_the_middle_resumes_at_the_same_question(own_stack, tmp_path):
    conference = import_demo(own_stack.env)
    walk(own_stack, "e2e:restart", PATH[:8], conference["P1"])
    assert own_stack.stop() == 0
    again = Launcher(own_stack.env)
    again.wait_ready()
    try:
        # The conversation carries on exactly where it was: the next turn of the path.
        walk(again, "e2e:restart", PATH[8:12], conference["P1"])
    finally:
        again.stop()


def test_pause_then_the_invite_link_from_another_chat_carries_on(stack):
    conference = import_demo(stack.env)
    walk(stack, "e2e:web", PATH[:4], conference["P1"])
    assert "Your answers so far are saved" in stack.say("e2e:web", "pause")[-1]["text"]
    replies = stack.say("e2e:telegram", f"/start {conference['P1']}")
    assert "Welcome back, Kelly. We were at this question." in replies[0]["text"]
    assert "What worries you about the meeting" in replies[-1]["text"]
    walk(stack, "e2e:telegram", PATH[4:7], conference["P1"])


def test_a_young_persons_three_houses_and_who_may_see_them(stack):
    conference = import_demo(stack.env)
    walk(
        stack,
        "e2e:ava",
        yaml.safe_load((DATA / "young_person_path.yml").read_text()),
        conference["P2"],
    )
    database = Database(stack.settings)
    with database.session() as session:
        ava = participant(session, conference, "P2")
        assert ava.response_status == "submitted"
        houses = [
            (a.column_key, a.text, a.share_with)
            for a in current(session, Answer, ava.id)
            if a.column_key
        ]
        assert houses == [
            ("strengths", "Playing with my dog", "everyone"),
            ("safety", "Nan", "everyone"),
            ("worries", "When dad shouts at mum", "chair_and_social_worker"),
            ("next_steps", "Everyone being happy at home", "everyone"),
        ]
        wishes = {a.question_key: a.choice for a in current(session, Answer, ava.id) if a.choice}
        assert wishes["meet_the_chair"] == "send" and wishes["advocate"] == "not_sure"
        chair = build_summary(session, conference["id"], "chair")
        family = build_summary(session, conference["id"], "family")
    database.dispose()
    worries = [voice for voice in chair["child_voice"] if voice["house"] == "worries"]
    assert [
        {key: voice[key] for key in ("participant", "role", "text", "share_with", "family_sees")}
        for voice in worries
    ] == [
        {
            "participant": "P2",
            "role": "young_person",
            "text": "When dad shouts at mum",
            "share_with": "chair_and_social_worker",
            "family_sees": False,
        }
    ]
    # "Only my social worker and the chair" is in nothing the family can see.
    for family_facing in (json.dumps(family), to_markdown(family)):
        assert "When dad shouts at mum" not in family_facing
        assert "Playing with my dog" in family_facing


def test_a_social_workers_report_sections_recommendation_and_sharing(stack):
    conference = import_demo(stack.env)
    welcome = stack.say("e2e:jo", f"/start {conference['P3']}")
    assert (
        "Please share your report with the family by Tuesday 8 December 2026" in welcome[0]["text"]
    )
    assert "the family will read this" in " ".join(r["text"] for r in welcome)
    path = yaml.safe_load((DATA / "professional_path.yml").read_text())
    walk(stack, "e2e:jo", path[1:], conference["P3"])
    database = Database(stack.settings)
    with database.session() as session:
        jo = participant(session, conference, "P3")
        answers = current(session, Answer, jo.id)
        columns = [(a.column_key, a.text) for a in answers if a.column_key]
        assert columns == [  # at a review, what is working well comes first
            ("safety", "Nan visits every day"),
            ("strengths", "Mum has engaged with every visit"),
            ("safety", "Mum finished the first part of the parenting course"),
            ("worries", "Dad has not started the anger course yet"),
            ("worries", "Police were called in March after a fight"),
            ("worries", "Ava is anxious at school"),
            ("complicating_factors", "Debt and the loss of dad's job"),
            ("next_steps", "Keep going to the parenting course"),
            ("next_steps", "Weekly visits"),
        ]
        choices = {a.question_key: a.choice for a in answers if a.choice}
        assert choices["recommendation"] == "cp_plan" and choices["category"] == "emotional_abuse"
        assert choices["report_shared"] == "yes" and choices["report_gone_through"] == "family"
        by_key = {a.question_key: a.text for a in answers}
        assert by_key["child_said"] == "Ava told me she likes it when it is quiet at home"
        assert by_key["access_needs"] == "Mum needs the report read out to her"
        assert {a.question_key: a.text for a in answers}["report_shared_when"] == "On 1 December"
        [score] = current(session, Score, jo.id)
        assert (score.score, score.next_point) == (4, "Three months without an incident")
    database.dispose()
