"""Data rights through the real command line on a real database: one person's own data
(`companion export-person`), and the chat's data erased after the retention time
(`companion erase`), the approved record kept until its own."""

from __future__ import annotations

import base64
import io
import json
import stat
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import column, create_engine, func, select, table, text

from bot.cli import main
from bot.model.answers import save_answer
from bot.model.database import Database, migrate
from bot.model.pictures import keep_picture
from bot.model.scores import save_score
from bot.model.tables import (
    Answer,
    AuditEvent,
    Conference,
    DangerStatement,
    Invite,
    Notification,
    Outreach,
    Participant,
    Picture,
    Progress,
    RecordEdit,
    RecordVersion,
    SafeguardingAlert,
    Score,
    TelegramChat,
    WebChat,
    utcnow,
)
from bot.pictures import CleanPicture
from bot.review.record import approved_record
from bot.safeguarding.alerts import raise_alert
from bot.safeguarding.detector import assess
from bot.settings import load_settings
from tests.conftest import answered_demo, environment_for

DAY = timedelta(days=1)
EVENTS = table("encrypted_events", column("sender_id"))
CHAT_TABLES = (Answer, Score, Picture, Progress, WebChat, TelegramChat, Outreach)


@pytest.fixture
def env(tmp_path, database_url, monkeypatch):
    """The command line's environment: this test's databases and key."""
    env = environment_for(tmp_path, DATABASE_URL=database_url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("COMPANION_RETENTION_DAYS", "COMPANION_RECORD_RETENTION_DAYS"):
        monkeypatch.delenv(name, raising=False)
    migrate(database_url)
    engine = create_engine(load_settings(env).tracker_store_url)
    with engine.begin() as connection:  # as bot/tracker_store.py makes it, without Rasa
        connection.execute(
            text(
                "CREATE TABLE encrypted_events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255),"
                " type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255),"
                " action_name VARCHAR(255), data TEXT)"
            )
        )
    engine.dispose()
    return env


@pytest.fixture
def database(env):
    database = Database(load_settings(env))
    yield database
    database.dispose()


def a_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "green").save(out, "PNG")
    return out.getvalue()


def chatted(database: Database, env: dict, mark: str, approved_days_ago: float | None):
    """The demo conference, answered: Kelly's words, note and score, Ava's words that
    raised an alert and her picture, each in a web or Telegram chat with Rasa's tracker;
    approved that many days ago (None: not yet). Returns (conference id, senders)."""
    conference_id, ids = answered_demo(database)
    senders = {"P1": f"web:{mark}-kelly", "P2": f"telegram:{mark}-ava"}
    with database.session() as session, session.begin():
        people = {key: session.get(Participant, pid) for key, pid in ids.items()}
        kelly, ava = people["P1"], people["P2"]
        save_answer(session, kelly, None, "worries:note", f"{mark} a note for the chair")
        statement = session.execute(
            select(DangerStatement).where(DangerStatement.conference_id == conference_id)
        ).scalar_one()
        save_score(session, kelly, statement, kelly.actor, score=6, reason="Dad goes to AA now")
        first = session.scalars(select(Answer).where(Answer.participant_id == kelly.id)).first()
        session.add(  # the chair's rewording of Kelly's words, kept with the record
            RecordEdit(
                conference_id=conference_id,
                chair=people["P5"],
                kind="reword",
                item=f"a{first.id}",
                text="Dad drinks at weekends",
            )
        )
        words = save_answer(session, ava, "worries", "worries", "my dad hits me")
        raise_alert(session, ava, assess("my dad hits me"), "my dad hits me", answer=words)
        keep_picture(session, ava, "worries", "worries", CleanPicture(a_png(), "image/png", 4, 3))
        for key, sender in senders.items():
            invite = people[key].invites[0]
            invite.bound_sender, invite.bound_at = sender, utcnow()
            session.add(Progress(participant=people[key], step="worries"))
        session.add(WebChat(token_hash=f"{mark}-t", sender=senders["P1"], last_replies="[]"))
        jo = people["P3"]  # her invite, sent by email
        session.add(Outreach(participant=jo, invite=jo.invites[0], kind="invite", reason="invite",
                             channel="email", recipient=jo.email, status="delivered",
                             created_by="staff:1"))  # fmt: skip
        session.add(TelegramChat(sender=senders["P2"], buttons="[]"))
        if approved_days_ago is not None:
            session.add(
                RecordVersion(
                    conference_id=conference_id,
                    number=1,
                    approved_by=people["P5"],
                    approved_at=utcnow() - approved_days_ago * DAY,
                    content_hash="0" * 64,
                    record=json.dumps({"record": "as approved"}),
                )
            )
    engine = create_engine(load_settings(env).tracker_store_url)
    with engine.begin() as connection:
        for sender in senders.values():
            for _ in range(3):
                connection.execute(
                    text("INSERT INTO encrypted_events (sender_id, type_name) VALUES (:s, 'user')"),
                    {"s": sender},
                )
    engine.dispose()
    return conference_id, senders


def held(database: Database, env: dict, conference_id: str) -> dict[str, int]:
    """How many rows of each kind a conference has, its tracker events included."""
    with database.session() as session:
        people = select(Participant.id).where(Participant.conference_id == conference_id)
        senders = list(
            session.scalars(
                select(Invite.bound_sender).where(
                    Invite.participant_id.in_(people), Invite.bound_sender.is_not(None)
                )
            )
        )
        by_person = {
            kind.__name__: session.scalar(
                select(func.count())
                .select_from(kind)
                .where(
                    kind.sender.in_(senders)
                    if hasattr(kind, "sender")
                    else kind.participant_id.in_(people)
                )
            )
            for kind in CHAT_TABLES
        }
        by_conference = {
            kind.__name__: session.scalar(
                select(func.count()).select_from(kind).where(kind.conference_id == conference_id)
            )
            for kind in (RecordVersion, SafeguardingAlert, Participant)
        }
        by_conference["Conference"] = session.scalar(
            select(func.count()).select_from(Conference).where(Conference.id == conference_id)
        )
        live = session.scalar(
            select(func.count())
            .select_from(Invite)
            .where(Invite.participant_id.in_(people), Invite.revoked_at.is_(None))
        )
    engine = create_engine(load_settings(env).tracker_store_url)
    with engine.connect() as connection:
        events = connection.scalar(
            select(func.count()).select_from(EVENTS).where(EVENTS.c.sender_id.in_(senders))
        )
    engine.dispose()
    return {**by_person, **by_conference, "live invites": live, "tracker events": events}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_export_person_holds_their_own_words_and_nobody_elses(env, database, capsys, tmp_path):
    conference_id, _ = chatted(database, env, "x", approved_days_ago=None)
    code, out, _ = run(capsys, "export-person", conference_id, "P1")
    assert code == 0
    kelly = json.loads(out)
    assert kelly["person"]["name"] == "Kelly Smith" and kelly["person"]["status"] == "submitted"
    said = [answer["words"] for answer in kelly["answers"]]
    assert said == [
        "Dad's drinking at weekends",
        "Nan has the kids Sundays",
        "x a note for the chair",
    ]
    assert kelly["scores"][0]["score"] == 6 and kelly["scores"][0]["why"] == "Dad goes to AA now"
    assert kelly["scores_at_the_last_conference"] == {"D1": 4}
    assert kelly["invites"][0]["joined_by"] == "web" and kelly["conversation"]["state"] == "active"
    for not_hers in ("Police were called in March", "my hamster Biscuit", "my dad hits me"):
        assert not_hers not in out  # Jo's words, Ava's words, Ava's alert
    assert "alert" not in out.lower() and kelly["pictures"] == []

    # Ava's export holds her words (not that they raised an alert) and her picture itself.
    output = tmp_path / "ava.json"
    assert run(capsys, "export-person", conference_id, "P2", "--output", str(output))[0] == 0
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    ava = json.loads(output.read_text())
    assert "my dad hits me" in [answer["words"] for answer in ava["answers"]]
    assert "alert" not in output.read_text().lower()
    assert base64.b64decode(ava["pictures"][0]["image_base64"]) == a_png()
    assert ava["pictures"][0]["house"] == "worries"
    code, _, err = run(capsys, "export-person", conference_id, "P2", "--output", str(output))
    assert code == 2 and "already exists" in err

    code, _, err = run(capsys, "export-person", conference_id, "P9")
    assert code == 2 and f"There is no participant P9 in conference {conference_id}" in err
    with database.session() as session:
        exported = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "person_exported")
        ).all()
    assert [event.actor for event in exported] == ["cli", "cli"]


def test_a_dry_run_prints_the_numbers_and_removes_nothing(env, database, capsys):
    old, _ = chatted(database, env, "old", approved_days_ago=200)
    before = held(database, env, old)
    code, out, _ = run(capsys, "erase", "--dry-run")
    assert code == 0
    assert f"Conference {old} (" in out and "approved " in out
    assert (
        "5 answers, 1 note, 1 score, 1 picture, 2 conversations, 1 web chat, "
        "1 Telegram chat, 1 invite or reminder, 6 tracker events, 5 invites closed would be "
        "removed." in out
    )
    assert "A dry run: nothing was removed." in out
    assert held(database, env, old) == before


def test_erase_removes_the_chat_of_a_conference_approved_long_ago_only(env, database, capsys):
    old, _ = chatted(database, env, "old", approved_days_ago=200)
    recent, _ = chatted(database, env, "recent", approved_days_ago=10)
    draft, _ = chatted(database, env, "draft", approved_days_ago=None)
    ancient_draft, _ = chatted(database, env, "ancient", approved_days_ago=None)
    with database.session() as session, session.begin():  # held long ago, never approved
        session.get(Conference, ancient_draft).created_at = utcnow() - 3000 * DAY
    kept = {c: held(database, env, c) for c in (recent, draft, ancient_draft)}

    code, out, _ = run(capsys, "erase")
    assert code == 0
    assert f"Conference {old} (" in out and "5 answers, 1 note," in out and "removed." in out
    assert recent not in out and draft not in out
    after = held(database, env, old)
    assert {kind.__name__: after[kind.__name__] for kind in CHAT_TABLES} == dict.fromkeys(
        (kind.__name__ for kind in CHAT_TABLES), 0
    )
    assert after["tracker events"] == 0 and after["live invites"] == 0
    # The record and the safeguarding record stay: the alert keeps its words.
    assert after["RecordVersion"] == 1 and after["Participant"] == 5
    with database.session() as session:
        [alert] = session.scalars(
            select(SafeguardingAlert).where(SafeguardingAlert.conference_id == old)
        ).all()
        assert alert.text == "my dad hits me" and alert.answer_id is None
        [erased] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "chat_data_erased")
        ).all()
        assert erased.record_id == old and erased.detail["counts"]["answers"] == 5
    for conference_id, counts in kept.items():
        assert held(database, env, conference_id) == counts
    # The chair's summary still builds, without the words, and the approved version reads.
    code, out, _ = run(capsys, "summary", old)
    assert code == 0 and "Dad's drinking" not in out and "Nan has the kids" not in out
    # What was approved stands: the emptied summary is no draft of a version 2 to approve.
    state = json.loads(out)["record"]
    assert (state["status"], state["version"], state["chat_data_erased"]) == ("approved", 1, True)
    with database.session() as session:
        assert approved_record(session, old, 1) == {"record": "as approved"}
    # Nothing more to remove the second time.
    assert f"Conference {old} (" in (again := run(capsys, "erase")[1])
    assert "nothing left to remove." in again

    # --older-than reaches the recent one too; a conference not approved, never.
    code, out, _ = run(capsys, "erase", "--older-than", "5")
    assert f"Conference {recent} (" in out and draft not in out and ancient_draft not in out
    assert held(database, env, recent)["Answer"] == 0
    assert held(database, env, draft) == kept[draft]
    assert run(capsys, "erase", "--older-than", "-1")[0] == 2


def test_the_approved_record_goes_when_its_own_retention_is_over(
    env, database, capsys, monkeypatch
):
    ancient, _ = chatted(database, env, "ancient", approved_days_ago=400)
    old, _ = chatted(database, env, "old", approved_days_ago=200)
    monkeypatch.setenv("COMPANION_RECORD_RETENTION_DAYS", "365")
    with database.session() as session:
        alerts = select(SafeguardingAlert.id).where(SafeguardingAlert.conference_id == ancient)
        messages = session.scalar(
            select(func.count()).select_from(Notification).where(Notification.alert_id.in_(alerts))
        )
    assert messages  # the alert told the social worker and the chair

    code, out, _ = run(capsys, "erase", "--dry-run")
    assert (
        "1 record version, 1 safeguarding alert" in out and "the whole conference would go" in out
    )
    assert held(database, env, ancient)["Conference"] == 1

    code, out, _ = run(capsys, "erase")
    assert code == 0 and "the whole conference is gone" in out
    gone = held(database, env, ancient)
    assert not any(gone.values()), gone
    with database.session() as session:
        left = session.scalar(
            select(func.count()).select_from(Notification).where(Notification.alert_id.in_(alerts))
        )
        assert left == 0
    # Approved 200 days ago: the chat's data goes, the record stays for its own retention.
    after = held(database, env, old)
    assert after["Answer"] == 0 and after["RecordVersion"] == 1 and after["SafeguardingAlert"] == 1


def test_a_chat_that_went_on_to_a_later_conference_keeps_what_is_the_later_ones(
    env, database, capsys
):
    """One Telegram chat, Ava's in a conference approved long ago and then in the next
    one: erasing the old conference removes Rasa's events from before she joined the new
    one, and leaves the new conversation (its events, its buttons) as it is, run after run."""
    old, senders = chatted(database, env, "old", approved_days_ago=200)
    new, _ = chatted(database, env, "new", approved_days_ago=None)
    chat = senders["P2"]
    joined_new = utcnow()
    with database.session() as session, session.begin():
        session.execute(  # the old invite closed (reissued): the chat may join the new one
            Invite.__table__.update()
            .where(Invite.bound_sender == chat)
            .values(revoked_at=joined_new - DAY, bound_at=joined_new - 2 * DAY)
        )
        ava = session.scalars(
            select(Participant).where(Participant.conference_id == new, Participant.key == "P2")
        ).one()
        ava.invites[0].bound_sender, ava.invites[0].bound_at = chat, joined_new
    engine = create_engine(load_settings(env).tracker_store_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE encrypted_events SET timestamp = 1"))  # the old talk
        for _ in range(4):  # the new conversation's, on the same chat
            connection.execute(
                text(
                    "INSERT INTO encrypted_events (sender_id, type_name, timestamp) "
                    "VALUES (:s, 'user', :t)"
                ),  # fmt: skip
                {"s": chat, "t": joined_new.timestamp() + 10**6},
            )

    def events() -> int:
        with engine.connect() as connection:
            return connection.scalar(
                select(func.count()).select_from(EVENTS).where(EVENTS.c.sender_id == chat)
            )

    assert events() == 7
    for _ in range(2):
        code, out, _ = run(capsys, "erase")
        assert code == 0 and f"Conference {old} (" in out
        assert events() == 4  # the old talk gone, the new conversation whole
        with database.session() as session:
            assert session.get(TelegramChat, chat) is not None
    assert held(database, env, old)["Answer"] == 0
    engine.dispose()


@pytest.mark.parametrize("days", ["nan", "inf", "1e12", "-1"])
def test_a_number_of_days_that_is_not_one_is_refused_plainly(env, database, capsys, days):
    old, _ = chatted(database, env, "old", approved_days_ago=200)
    before = held(database, env, old)
    code, out, err = run(capsys, "erase", "--older-than", days)
    assert code == 2 and "--older-than takes a number of days" in err and not out
    assert held(database, env, old) == before


def test_retention_settings_that_are_not_days_remove_nothing(env, database, capsys, monkeypatch):
    """A retention time set to a negative or no number would erase every approved
    conference whole, its safeguarding record too: refused, saying which setting."""
    old, _ = chatted(database, env, "old", approved_days_ago=200)
    before = held(database, env, old)
    for name, value in (
        ("COMPANION_RECORD_RETENTION_DAYS", "-1"),
        ("COMPANION_RETENTION_DAYS", "nan"),
    ):
        monkeypatch.setenv(name, value)
        code, out, err = run(capsys, "erase")
        assert code == 2 and f"{name} takes a number of days" in err and not out
        assert held(database, env, old) == before
        monkeypatch.delenv(name)


def test_messages_handled_more_than_a_day_ago_go_with_any_run(env, database, capsys):
    """The replies kept for a message sent again may echo the person's words: they go
    after a day even when no later message comes to prune them."""
    from bot.model.handled_messages import HandledMessage, handled, record

    with database.session() as session, session.begin():
        record(session, "web:quiet", "m1", {"replies": ["You said: my dad hits me"]})
        record(session, "web:quiet", "m2", {"replies": ["Thank you"]})
        for kept in session.scalars(select(HandledMessage)):
            kept.handled_at = utcnow() - 2 * DAY
        record(session, "web:quiet", "m4", {"replies": ["Just now"]})  # m4: prunes nothing
    assert run(capsys, "erase", "--dry-run")[0] == 0
    with database.session() as session:
        assert handled(session, "web:quiet", "m1") is not None  # a dry run removes nothing
    assert run(capsys, "erase")[0] == 0
    with database.session() as session:
        assert handled(session, "web:quiet", "m1") is None
        assert handled(session, "web:quiet", "m2") is None
        assert handled(session, "web:quiet", "m4") == {"replies": ["Just now"]}
