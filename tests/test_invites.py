"""Invites: 128-bit codes, stored only as a hash, bound to one sender once, expiring."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.conference_file import load_conference_file
from bot.model.conferences import create_conference
from bot.model.invites import (
    Redemption,
    hash_code,
    participant_for_sender,
    redeem,
    reissue_invite,
    reissue_unbound_invites,
)
from bot.model.tables import AuditEvent, Conference, Invite, Progress
from tests.conftest import EXAMPLES


def _conference(database, **changes):
    spec = load_conference_file(EXAMPLES / "demo-conference.yml")
    for field, value in changes.items():
        setattr(spec, field, value)
    with database.session() as session, session.begin():
        conference, codes = create_conference(session, spec, actor="test")
    return conference.id, codes


def test_codes_carry_128_bits_and_only_their_hash_is_stored(database):
    _, codes = _conference(database)
    assert len(set(codes.values())) == 5
    for code in codes.values():
        assert len(base64.urlsafe_b64decode(code + "==")) * 8 >= 128
    with database.session() as session:
        stored = session.execute(select(Invite.code_hash)).scalars().all()
    assert sorted(stored) == sorted(hash_code(code) for code in codes.values())
    assert not set(codes.values()) & set(stored)


def test_an_invite_binds_to_the_first_sender_only(database):
    _, codes = _conference(database)
    with database.session() as session, session.begin():
        joined = redeem(session, hash_code(codes["P1"]), "web:kelly")
        assert joined.outcome is Redemption.JOINED and joined.participant.key == "P1"
    with database.session() as session, session.begin():
        assert redeem(session, hash_code(codes["P1"]), "web:kelly").outcome is Redemption.RETURNING
        assert redeem(session, hash_code(codes["P1"]), "telegram:999").outcome is Redemption.USED
        assert participant_for_sender(session, "web:kelly").key == "P1"
        assert participant_for_sender(session, "telegram:999") is None


def test_unknown_and_expired_codes_are_refused(database):
    _, codes = _conference(database, date=datetime.now() - timedelta(days=2))
    with database.session() as session, session.begin():
        assert redeem(session, hash_code("not-a-real-code"), "web:a").outcome is Redemption.UNKNOWN
        assert redeem(session, hash_code(codes["P1"]), "web:a").outcome is Redemption.EXPIRED
        assert participant_for_sender(session, "web:a") is None


def test_reissuing_replaces_unused_codes_and_keeps_joined_chats(database):
    conference_id, codes = _conference(database)
    with database.session() as session, session.begin():
        redeem(session, hash_code(codes["P1"]), "web:kelly")
    with database.session() as session, session.begin():
        conference = session.get(Conference, conference_id)
        new_codes = reissue_unbound_invites(session, conference.participants, actor="test")
    assert set(new_codes) == {"P2", "P3", "P4", "P5"}
    with database.session() as session, session.begin():
        assert redeem(session, hash_code(codes["P2"]), "web:ava").outcome is Redemption.UNKNOWN
        assert redeem(session, hash_code(new_codes["P2"]), "web:ava").outcome is Redemption.JOINED
        assert participant_for_sender(session, "web:kelly").key == "P1"


def joined(database, code: str, sender: str, state: str) -> None:
    """The participant behind the code joined from this chat; their conversation is in state."""
    with database.session() as session, session.begin():
        participant = redeem(session, hash_code(code), sender).participant
        session.add(Progress(participant=participant, step="first", state=state))


def test_a_paused_conversation_can_carry_on_from_another_chat(database):
    _, codes = _conference(database)
    joined(database, codes["P1"], "web:kelly", "paused")
    with database.session() as session, session.begin():
        moved = redeem(session, hash_code(codes["P1"]), "telegram:kelly")
        assert moved.outcome is Redemption.MOVED and moved.participant.key == "P1"
    with database.session() as session:
        assert participant_for_sender(session, "telegram:kelly").key == "P1"
        assert participant_for_sender(session, "web:kelly") is None


def test_a_childs_conversation_moves_chats_only_after_staff_reissue_the_invite(database):
    _, codes = _conference(database)
    joined(database, codes["P2"], "web:ava", "paused")
    with database.session() as session, session.begin():
        moved = redeem(session, hash_code(codes["P2"]), "telegram:someone")
        assert moved.outcome is Redemption.USED and moved.participant is None
    with database.session() as session, session.begin():
        conference = session.execute(select(Conference)).scalar_one()
        ava = next(p for p in conference.participants if p.key == "P2")
        new_code = reissue_invite(session, ava, actor="staff:jo")
    with database.session() as session, session.begin():
        assert redeem(session, hash_code(new_code), "telegram:ava").outcome is Redemption.JOINED
        assert participant_for_sender(session, "telegram:ava").key == "P2"
        assert participant_for_sender(session, "web:ava") is None  # the old chat is let go


def test_one_chat_is_one_person_and_every_refusal_is_audited(database):
    _, codes = _conference(database)
    with database.session() as session, session.begin():
        redeem(session, hash_code(codes["P1"]), "web:kelly")
    with database.session() as session, session.begin():
        # Kelly's chat is refused the family member's code and stays Kelly's.
        other = redeem(session, hash_code(codes["P3"]), "web:kelly")
        assert other.outcome is Redemption.OTHER_PERSON and other.participant.key == "P1"
        redeem(session, hash_code("not-a-real-code"), "web:x")
    with database.session() as session:
        assert participant_for_sender(session, "web:kelly").key == "P1"
        refusals = session.execute(
            select(AuditEvent.detail).where(AuditEvent.action == "invite_refused")
        ).scalars()
        assert [detail["reason"] for detail in refusals] == ["other_person", "unknown"]
        assert session.execute(
            select(Invite).where(Invite.bound_sender == "web:kelly")
        ).scalar_one()


def test_an_active_conversation_cannot_be_taken_over(database):
    _, codes = _conference(database)
    joined(database, codes["P1"], "web:kelly", "active")
    with database.session() as session, session.begin():
        assert (
            redeem(session, hash_code(codes["P1"]), "telegram:someone").outcome is Redemption.USED
        )


def test_a_code_never_starts_with_a_dash_which_a_command_line_reads_as_an_option():
    from bot.codes import new_code

    codes = [new_code() for _ in range(3000)]  # about 47 would start with "-" otherwise
    assert not [code for code in codes if code.startswith("-")]
    assert all(len(code) == 22 for code in codes)


def test_companion_invite_reissue_prints_a_new_code_and_the_old_one_stops(
    tmp_path, monkeypatch, capsys
):
    from bot.cli import main
    from bot.model.database import Database
    from bot.settings import load_settings
    from tests.conftest import environment_for

    for name, value in environment_for(tmp_path).items():
        monkeypatch.setenv(name, value)
    assert main(["conference", "import", str(EXAMPLES / "demo-conference.yml")]) == 0
    imported = json.loads(capsys.readouterr().out)
    old = next(i["code"] for i in imported["invites"] if i["participant"] == "P2")
    assert main(["invite", "reissue", imported["conference_id"], "P2"]) == 0
    new = json.loads(capsys.readouterr().out)
    assert new["participant"] == "P2" and new["code"] != old and new["code"] in new["web_link"]
    database = Database(load_settings())
    with database.session() as session, session.begin():
        assert redeem(session, hash_code(old), "web:a").outcome is Redemption.UNKNOWN
        assert redeem(session, hash_code(new["code"]), "web:a").outcome is Redemption.JOINED
    database.dispose()
    assert main(["invite", "reissue", imported["conference_id"], "P99"]) == 2
