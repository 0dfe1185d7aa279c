"""`companion conference import`: the contract's output, and every bad file refused whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.model.database import Database, migrate
from bot.model.tables import Conference, Invite
from bot.settings import load_settings
from tests.conftest import EXAMPLES, environment_for

DEMO = (EXAMPLES / "demo-conference.yml").read_text()


@pytest.fixture
def env(tmp_path, database_url, monkeypatch):
    env = environment_for(tmp_path, DATABASE_URL=database_url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    migrate(database_url)
    return env


def conference_count(env) -> int:
    database = Database(load_settings(env))
    with database.session() as session:
        count = session.execute(select(func.count()).select_from(Conference)).scalar_one()
    database.dispose()
    return count


def test_a_good_file_prints_the_conference_and_one_invite_each(tmp_path, env):
    result = subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "companion"),
            "conference",
            "import",
            str(EXAMPLES / "demo-conference.yml"),
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert [(i["participant"], i["role"]) for i in output["invites"]] == [
        ("P1", "parent"),
        ("P2", "young_person"),
        ("P3", "social_worker"),
        ("P4", "professional"),
        ("P5", "chair"),
    ]
    for invite in output["invites"]:
        assert invite["code"] in invite["web_link"]
        assert invite["telegram_link"] is None  # no TELEGRAM_BOT_USERNAME in this test
    database = Database(load_settings(env))
    with database.session() as session:
        conference = session.get(Conference, output["conference_id"])
        assert conference.local_authority == "Example Borough Council"
        assert conference.out_of_hours == "01632 960 123"
        assert session.execute(select(func.count()).select_from(Invite)).scalar_one() == 5
    database.dispose()


def test_a_telegram_link_uses_the_bots_name(tmp_path, env, monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "ExampleCompanionBot")
    assert main(["conference", "import", str(EXAMPLES / "demo-conference.yml")]) == 0
    invite = json.loads(capsys.readouterr().out)["invites"][0]
    assert invite["telegram_link"] == f"https://t.me/ExampleCompanionBot?start={invite['code']}"


FIVE_STATEMENTS = DEMO.replace(
    "participants:",
    "".join(f"  - {{key: D{n}, danger: d, safety_goal: s, children: [A]}}\n" for n in range(2, 6))
    + "participants:",
)

BAD_FILES = {
    "missing field": (
        DEMO.replace("  date: 2026-12-15T10:00\n", ""),
        2,
        "conference.date: is missing",
    ),
    "five danger statements": (
        FIVE_STATEMENTS,
        10,
        "danger_statements: at most 4 danger statements",
    ),
    "unknown child": (
        DEMO.replace("children: [A, B]}", "children: [A, C]}"),
        24,
        "participants[P1].children: names unknown child 'C'",
    ),
    "young person's unknown child": (
        DEMO.replace("child: A}", "child: Z}"),
        25,
        "participants[P2].child: names unknown child 'Z'",
    ),
    "bad date": (
        DEMO.replace("2026-12-15T10:00", "15th of December"),
        4,
        "conference.date: should be a date and time",
    ),
    "impossible date": (
        DEMO.replace("2026-12-15T10:00", "2026-02-30T10:00"),
        4,
        "conference.date: should be a date and time",
    ),
    "chair marked to score": (
        DEMO.replace("role: chair,", "role: chair, scores: true,"),
        29,
        "participants[P5].scores: a chair does not score",
    ),
    "duplicate child key": (
        DEMO.replace("{key: B, name: Leo", "{key: A, name: Leo"),
        9,
        "children[A].key: duplicate key 'A'",
    ),
    "duplicate participant key": (
        DEMO.replace("{key: P4,", "{key: P3,"),
        28,
        "participants[P3].key: duplicate key 'P3'",
    ),
    "duplicate field": (
        DEMO.replace("  type: review\n", "  type: review\n  type: initial\n"),
        4,
        'found duplicate key "type"',
    ),
    "unknown role": (
        DEMO.replace("role: parent", "role: mother"),
        24,
        "participants[P1].role: should be one of",
    ),
    "score out of range": (
        DEMO.replace("{P1: 4, P3: 3}", "{P1: 14, P3: 3}"),
        19,
        "danger_statements[D1].previous_scores.P1: should be a whole number from 0 to 10",
    ),
    "previous score of the chair": (
        DEMO.replace("{P1: 4, P3: 3}", "{P1: 4, P5: 3}"),
        19,
        "previous_scores.P5: this participant does not score",
    ),
    "previous scores at an initial conference": (
        DEMO.replace("type: review", "type: initial"),
        19,
        "only a review conference has previous scores",
    ),
    "misspelt field": (
        DEMO.replace("local_authority:", "local_authorty:"),
        5,
        "conference.local_authorty: unknown field",
    ),
    "not yaml": ("conference: [unclosed\n", 2, "file:"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_is_refused_with_field_and_line_and_nothing_written(case, tmp_path, env, capsys):
    content, line, message = BAD_FILES[case]
    path = tmp_path / "conference.yml"
    path.write_text(content)
    assert main(["conference", "import", str(path)]) == 2
    error = capsys.readouterr().err
    assert "nothing was written" in error
    assert any(f"{path} line {line}: " in row and message in row for row in error.splitlines()), (
        error
    )
    assert conference_count(env) == 0


def test_a_missing_file_is_refused(tmp_path, env, capsys):
    assert main(["conference", "import", str(tmp_path / "absent.yml")]) == 2
    assert "cannot be read" in capsys.readouterr().err
