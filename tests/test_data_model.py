"""The conference data model on SQLite and PostgreSQL: migrations, constraints, history."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from bot import vocabulary
from bot.conference_file import load_conference_file
from bot.model.answers import current_answers, revise_answer, save_answer
from bot.model.audit import record
from bot.model.conferences import create_conference
from bot.model.database import alembic_config, make_engine, migrate
from bot.model.tables import Answer, AuditEvent, Conference, Participant, PreviousScore, Score
from tests.conftest import EXAMPLES

TABLES = {
    "conference",
    "child",
    "danger_statement",
    "participant",
    "previous_score",
    "invite",
    "answer",
    "score",
    "safeguarding_alert",
    "audit_event",
}


@pytest.fixture
def demo(database):
    with database.session() as session, session.begin():
        conference, codes = create_conference(
            session, load_conference_file(EXAMPLES / "demo-conference.yml"), actor="test"
        )
    return conference.id, codes


def test_migrations_create_every_table_and_run_again_harmlessly(database_url):
    migrate(database_url)
    migrate(database_url)
    engine = make_engine(database_url)
    assert TABLES <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_migrations_downgrade_to_nothing_and_back(database_url):
    migrate(database_url)
    command.downgrade(alembic_config(database_url), "base")
    engine = make_engine(database_url)
    assert not TABLES & set(inspect(engine).get_table_names())
    engine.dispose()
    migrate(database_url)


def test_the_demo_conference_is_stored_whole(database, demo):
    conference_id, codes = demo
    with database.session() as session:
        conference = session.get(Conference, conference_id)
        assert (conference.type, conference.status) == ("review", "draft")
        assert [child.name for child in conference.children] == ["Ava", "Leo"]
        statement = conference.danger_statements[0]
        assert statement.key == "D1" and statement.children == ["A", "B"]
        assert statement.safety_goal.startswith("Mum and dad will show everyone")
        previous = {p.participant.key: p.score for p in statement.previous_scores}
        assert previous == {"P1": 4, "P3": 3}
        scoring = {p.key: p.scores for p in conference.participants}
        assert scoring == {"P1": True, "P2": True, "P3": True, "P4": True, "P5": False}
        young_person = next(p for p in conference.participants if p.role == "young_person")
        assert young_person.child_key == "A" and young_person.children == ["A"]
        assert set(codes) == {"P1", "P2", "P3", "P4", "P5"}
        audit = session.execute(select(AuditEvent.action)).scalars().all()
        assert audit.count("invite_issued") == 5 and "conference_created" in audit


def test_a_score_outside_0_to_10_is_refused(database, demo):
    with database.session() as session:
        conference = session.get(Conference, demo[0])
        session.add(
            Score(
                danger_statement=conference.danger_statements[0],
                participant=conference.participants[0],
                score=11,
                reason="x",
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()


def test_an_unknown_role_is_refused(database, demo):
    with database.session() as session:
        session.add(
            Participant(
                conference_id=demo[0], key="P9", name="X", role="wizard", scores=False, position=9
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()


def test_one_previous_score_per_person_per_danger_statement(database, demo):
    with database.session() as session:
        conference = session.get(Conference, demo[0])
        session.add(
            PreviousScore(
                danger_statement=conference.danger_statements[0],
                participant=conference.participants[0],
                score=5,
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()


def test_a_revised_answer_keeps_the_old_version(database, demo):
    with database.session() as session, session.begin():
        parent = session.execute(
            select(Participant).where(Participant.conference_id == demo[0], Participant.key == "P1")
        ).scalar_one()
        first = save_answer(
            session, parent, "strengths", "working_well", "We walk to school together"
        )
        revise_answer(
            session, first, "We walk to school together every day", actor="participant:P1"
        )
        assert parent.response_status == "in_progress" and parent.first_answered_at
    with database.session() as session:
        parent = session.get(Participant, parent.id)
        assert [a.text for a in current_answers(session, parent)] == [
            "We walk to school together every day"
        ]
        versions = session.execute(select(Answer).order_by(Answer.id)).scalars().all()
        assert len(versions) == 2
        assert (
            versions[0].superseded_at is not None and versions[0].superseded_by_id == versions[1].id
        )


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET actor = 'someone else'", "DELETE FROM audit_event"]
)
def test_the_audit_log_is_append_only(database, statement):
    with database.session() as session, session.begin():
        record(session, "test", "looked", "conference", "c1")
    with database.engine.connect() as connection:
        with pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement))
            connection.commit()
    with database.session() as session:
        assert session.execute(select(AuditEvent.actor)).scalars().all() == ["test"]


def test_parents_come_first_in_every_listing():
    shuffled = ["professional", "young_person", "social_worker", "family_member", "parent"]
    assert sorted(shuffled, key=vocabulary.role_order) == [
        "parent",
        "family_member",
        "young_person",
        "social_worker",
        "professional",
    ]


def test_a_database_with_alerts_and_their_outbox_migrates_to_the_newest(database_url, settings):
    from bot.model.database import Database, downgrade
    from bot.model.tables import Notification, SafeguardingAlert
    from tests.conftest import conference_with

    migrate(database_url)
    database = Database(settings)
    _, ids = conference_with(database, (EXAMPLES / "demo-conference.yml").read_text())
    downgrade(database_url, "0003")  # before alerts could come from someone not joined
    with database.session() as session, session.begin():
        # The columns those tables had then (today's model has more).
        conference_id = session.execute(
            select(Participant.__table__.c.conference_id).where(Participant.id == ids["P2"])
        ).scalar_one()
        made = session.execute(insert(SafeguardingAlert.__table__).values(
            conference_id=conference_id, participant_id=ids["P2"], kind="immediate_danger",
            pattern="violence", text="my dad hits me"))  # fmt: skip
        for channel, recipient in (("email", "a@example.org"), ("email", "b@example.org"),
                                   ("sms", "07700900001")):  # fmt: skip
            session.add(Notification(alert_id=made.inserted_primary_key[0], channel=channel,
                                     recipient=recipient, recipient_role="chair"))  # fmt: skip
    migrate(database_url)
    with database.session() as session:
        [alert] = session.execute(select(SafeguardingAlert)).scalars().all()
        assert alert.text == "my dad hits me" and alert.participant_id == ids["P2"]
        assert len(session.execute(select(Notification)).scalars().all()) == 3
    database.dispose()
