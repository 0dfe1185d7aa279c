"""`companion chat CODE`: the terminal client a newcomer tries the bot with, on the real stack."""

from __future__ import annotations

import subprocess

from sqlalchemy import select

from bot.chat_client import what_to_send
from bot.dialogue.replies import button, score_button
from bot.model.database import Database
from bot.model.tables import Answer, Participant
from tests.conftest import BIN, EXAMPLES, import_conference


def chat(stack, code: str, typed: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "companion"), "chat", code],
        input="".join(line + "\n" for line in typed),
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_buttons_are_numbered_and_a_number_or_the_words_both_answer(stack):
    conference = import_conference(stack.env, EXAMPLES / "demo-conference.yml")
    done = chat(stack, conference["P1"], ["3", "Who reads the police report?", "Nothing"])
    assert done.returncode == 0, done.stderr
    assert (
        "Have you seen the reports for the conference? "
        "They come from the social worker and other services." in done.stdout
    )
    assert "  1. Yes\n  2. Partly\n  3. No\n" in done.stdout
    assert "What would help you during the meeting?" in done.stdout
    assert "run `companion chat" in done.stdout  # how to carry on, on leaving
    again = chat(stack, conference["P1"], [])
    assert "Welcome back, Kelly. We were at this question." in again.stdout
    resumed = again.stdout.split("Welcome back")[1]
    assert "What would help you during the meeting?" in resumed
    database = Database(stack.settings)
    with database.session() as session:
        kelly = session.execute(
            select(Participant).where(
                Participant.conference_id == conference["id"], Participant.key == "P1"
            )
        ).scalar_one()
        answers = {
            a.question_key: a.text
            for a in session.execute(select(Answer).where(Answer.participant_id == kelly.id))
            .scalars()
            .all()
        }
    database.dispose()
    assert answers == {
        "seen_report": "No",
        "report_questions": "Who reads the police report?",
        "meeting_worries": "Nothing",  # a button of none is an answer, for the chair to see
    }


def test_at_a_scale_the_number_typed_is_the_score_not_a_position():
    scale = [score_button(n) for n in range(11)]
    assert what_to_send("7", scale) == "7"
    choices = [button("Yes", "yes"), button("Partly", "partly"), button("No", "no")]
    assert what_to_send("2", choices) == "partly"
    assert what_to_send("partly, I read some", choices) == "partly, I read some"
    assert what_to_send("4", choices) == "4"  # not a choice: sent as typed


def test_the_chat_says_clearly_when_the_stack_is_not_running(tmp_path):
    env = {"COMPANION_RASA_PORT": "9", "COMPANION_VAR_DIR": str(tmp_path), "PATH": "/usr/bin"}
    done = subprocess.run(
        [str(BIN / "companion"), "chat", "Hh3kP0-q2Zx9LmN4bVcT1w"],
        input="",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Is `make run` (or `companion serve`) running?" in done.stderr
