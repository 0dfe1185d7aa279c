"""A parent's whole conversation through the real stack (Rasa REST webhook), checked in
the database; and a restart of the whole stack in the middle resumes at the same question."""

from __future__ import annotations

import json
import subprocess

import pytest
import requests
import yaml
from sqlalchemy import select

from bot.model.database import Database
from bot.model.tables import Answer, Participant, Score
from tests.conftest import BIN, EXAMPLES, Launcher, stack_environment

PATH = yaml.safe_load((EXAMPLES.parent / "tests" / "data" / "family_review_path.yml").read_text())


def send(settings, sender: str, message: str) -> list[dict]:
    response = requests.post(
        f"{settings.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def import_demo(env) -> dict:
    result = subprocess.run(
        [str(BIN / "companion"), "conference", "import", str(EXAMPLES / "demo-conference.yml")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    output = json.loads(result.stdout)
    return {
        "id": output["conference_id"],
        **{i["participant"]: i["code"] for i in output["invites"]},
    }


def walk(settings, sender: str, turns: list[dict], code: str) -> None:
    for turn in turns:
        replies = send(settings, sender, turn["say"].format(code=code))
        assert replies, f"no reply to {turn['say']!r}"
        assert turn["expect"] in replies[-1]["text"], (turn, replies)


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
    walk(stack.settings, "e2e:kelly", PATH, conference["P1"])
    database = Database(stack.settings)
    with database.session() as session:
        kelly = session.execute(
            select(Participant).where(
                Participant.conference_id == conference["id"], Participant.key == "P1"
            )
        ).scalar_one()
        assert (kelly.response_status, kelly.consent_to_share) == ("submitted", True)
        by_column = [
            (a.column_key, a.text, a.children)
            for a in current(session, Answer, kelly.id)
            if a.column_key
        ]
        assert by_column == [
            ("strengths", "We go to the park every Sunday", ["A"]),
            ("strengths", "Leo loves his nursery", ["B"]),
            ("safety", "I stay calm and take them out when there is shouting", ["A", "B"]),
            ("safety", "The plan has helped us talk about arguments", ["A", "B"]),
            ("worries", "I want the shouting to stop", ["A", "B"]),
            ("complicating_factors", "Money is tight since I lost my job", ["A", "B"]),
            ("next_steps", "A parenting course", ["A", "B"]),
            ("next_steps", "Fewer arguments in front of the children", ["A", "B"]),
            ("next_steps", "Help with the rent", ["A", "B"]),
        ]
        for_chair = {
            a.question_key: a.text for a in current(session, Answer, kelly.id) if not a.column_key
        }
        assert for_chair["seen_report"] == "Partly"
        assert for_chair["anything_else"] == "I am nervous about the meeting"
        assert "plan_missing" not in for_chair  # "Nothing missing" is the skip button
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
    walk(own_stack.settings, "e2e:restart", PATH[:8], conference["P1"])
    assert own_stack.stop() == 0
    again = Launcher(own_stack.env)
    again.wait_ready()
    try:
        # The conversation carries on exactly where it was: the next turn of the path.
        walk(again.settings, "e2e:restart", PATH[8:12], conference["P1"])
    finally:
        again.stop()


def test_pause_then_the_invite_link_from_another_chat_carries_on(stack):
    conference = import_demo(stack.env)
    walk(stack.settings, "e2e:web", PATH[:3], conference["P1"])
    assert "Your answers so far are saved" in send(stack.settings, "e2e:web", "pause")[-1]["text"]
    replies = send(stack.settings, "e2e:telegram", f"/start {conference['P1']}")
    assert "Welcome back, Kelly. We were at this question." in replies[0]["text"]
    assert "What worries you about the meeting" in replies[-1]["text"]
    walk(stack.settings, "e2e:telegram", PATH[3:6], conference["P1"])
