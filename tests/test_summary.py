"""The summary builder: columns, parents first across roles, previous scores, audiences."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.model.answers import revise_answer, save_answer
from bot.model.tables import Answer, Conference, Participant, SafeguardingAlert, Score
from bot.summary.build import build_summary
from bot.summary.markdown import to_markdown
from tests.conftest import EXAMPLES, EngineChat, conference_with, environment_for

FAMILY_AND_PROFESSIONALS = (
    (EXAMPLES / "demo-conference.yml")
    .read_text()
    .replace(
        "  - {key: P5, name: Sam Patel, role: chair, email: sam.patel@example.gov.uk}",
        "  - {key: P5, name: Sam Patel, role: chair, email: sam.patel@example.gov.uk}\n"
        "  - {key: P6, name: Pat Smith, role: family_member, children: [A, B]}\n"
        "  - {key: P7, name: Lee Smith, role: parent, children: [B]}",
    )
)


@pytest.fixture
def conference(database):
    conference_id, ids = conference_with(database, FAMILY_AND_PROFESSIONALS)
    with database.session() as session, session.begin():
        people = {key: session.get(Participant, pid) for key, pid in ids.items()}
        # Professionals answer first, the family later: the summary still lists parents first.
        save_answer(session, people["P4"], "worries", "gp", "Missed health visits")
        save_answer(session, people["P3"], "worries", "sw", "Police called in March")
        save_answer(session, people["P6"], "strengths", "strengths", "Nan helps every weekend")
        first = save_answer(session, people["P1"], "strengths", "strengths", "We walk to school")
        revise_answer(session, first, "We walk to school together", "participant:P1")
        save_answer(session, people["P1"], "worries", "worries", "Money", ["A"])
        save_answer(session, people["P7"], "next_steps", "next_steps", "A parenting course")
        save_answer(
            session,
            people["P2"],
            "worries",
            "house_worries",
            "Shouting",
            share_with="chair_and_social_worker",
        )
        save_answer(session, people["P1"], None, "anything_else", "I am nervous")
        save_answer(session, people["P1"], None, "consent", "Yes, share them")  # the chat's
        save_answer(session, people["P3"], None, "professional_send", "Send it")  # mechanics
        statement = session.get(Conference, conference_id).danger_statements[0]
        for key, number in (("P3", 4), ("P1", 6), ("P7", 5)):
            session.add(
                Score(
                    danger_statement=statement,
                    participant=people[key],
                    score=number,
                    reason=f"{key} reason",
                    next_point=f"{key} next",
                )
            )
        session.add(
            SafeguardingAlert(
                conference_id=conference_id,
                participant=people["P2"],
                kind="immediate_danger",
                text="He hits me",
                disputed_text="you misunderstood",
            )
        )
    return conference_id


def summary(database, conference_id, audience="chair"):
    with database.session() as session:
        return build_summary(session, conference_id, audience)


def test_answers_land_in_their_columns_newest_version_only(database, conference):
    columns = summary(database, conference)["columns"]
    assert [item["text"] for item in columns["strengths"]] == [
        "We walk to school together",
        "Nan helps every weekend",
    ]
    worry = columns["worries"][0]
    assert worry["id"].startswith("a")  # the board's handle for the chair's edits
    assert worry == {
        "id": worry["id"],
        "text": "Money",
        "participant": "P1",
        "role": "parent",
        "children": ["A"],
        "family_sees": False,  # Kelly has not sent her answers yet
    }


def test_every_list_is_parents_first_across_roles(database, conference):
    built = summary(database, conference)
    assert [item["role"] for item in built["columns"]["worries"]] == [
        "parent",
        "young_person",
        "social_worker",
        "professional",
    ]
    assert [r["participant"] for r in built["responses"]] == ["P1", "P7", "P6", "P2", "P3", "P4"]
    assert [s["participant"] for s in built["scores"]] == ["P1", "P7", "P3"]


def test_scores_carry_the_previous_score(database, conference):
    scores = {s["participant"]: s for s in summary(database, conference)["scores"]}
    assert scores["P1"] == {
        "danger_statement": "D1",
        "participant": "P1",
        "role": "parent",
        "score": 6,
        "previous": 4,
        "change": 2,
        "reason": "P1 reason",
        "next_point": "P1 next",
        "family_sees": False,
        "family_sees_reasons": False,
    }
    assert scores["P3"]["previous"] == 3 and scores["P7"]["previous"] is None
    assert scores["P7"]["change"] is None


def test_the_scaling_table_names_the_gap_from_the_family(database, conference):
    built = summary(database, conference)
    [row] = built["scaling"]
    by_who = {s["participant"]: s["score"] for s in built["scores"]}
    family = [by_who[p] for p in ("P1", "P7")]
    assert row["family"] == sum(family) / 2 and row["spread"] == max(by_who.values()) - min(
        by_who.values()
    )
    assert row["furthest_from_family"]["participant"] == "P3"
    text = to_markdown(built)
    assert "## Where the scores differ" in text and "the gap to talk about" in text


def test_the_chair_sees_alerts_and_what_was_for_the_chair(database, conference):
    built = summary(database, conference, "chair")
    assert [(a["text"], a["participant_says"]) for a in built["alerts"]] == [
        ("He hits me", "you misunderstood")
    ]
    assert built["for_chair"][0]["question"] == "For the chair"
    # sending and sharing are in `responses`; the record holds what was said
    assert [item["text"] for item in built["for_chair"]] == ["I am nervous"]
    assert any(item["text"] == "Shouting" for item in built["columns"]["worries"])


def test_the_family_never_sees_alerts_or_answers_kept_from_them(database, conference):
    built = summary(database, conference, "family")
    assert built["alerts"] == [] and "for_chair" not in built
    everything = json.dumps(built)
    assert "Shouting" not in everything and "He hits me" not in everything


def sent(database, key: str, consent: bool | None = True) -> None:
    with database.session() as session, session.begin():
        participant = session.execute(
            select(Participant).where(Participant.key == key)
        ).scalar_one()
        participant.response_status, participant.consent_to_share = "submitted", consent


def family_texts(database, conference) -> str:
    return json.dumps(summary(database, conference, "family"))


def test_the_family_sees_nothing_until_a_participant_sends_and_agrees(database, conference):
    # Nobody has sent: closed by default, whatever was typed.
    assert "Money" not in family_texts(database, conference)
    sent(database, "P1")
    sent(database, "P7", consent=None)  # sent without answering the sharing question
    built = summary(database, conference, "family")
    texts = json.dumps(built)
    assert "Money" in texts and "P1 reason" in texts
    assert "A parenting course" not in texts and "P7 reason" not in texts
    assert "Nan helps every weekend" not in texts  # P6 never finished
    assert "family_sees" not in texts  # the family's copy does not say what was held back
    chair = summary(database, conference, "chair")
    marked = {item["text"]: item["family_sees"] for item in chair["columns"]["strengths"]}
    assert marked == {"We walk to school together": True, "Nan helps every weekend": False}


def skip_until(chat: EngineChat, text: str, words: str) -> None:
    for _ in range(5):
        if words in text:
            return
        text = chat.say("skip")
    raise AssertionError(f"never asked {words!r}")


def test_a_child_house_is_shown_only_when_sent_and_shared_with_everyone(database):
    conference, ids = conference_with(database, FAMILY_AND_PROFESSIONALS)
    ava = EngineChat(database, ids["P2"])
    ava.start()
    skip_until(ava, ava.say("My dog") + ava.say("no"), "Who can see your house of good things")
    text = ava.say("Everyone at the meeting, including my family")
    skip_until(ava, text, "worries")
    ava.say("Bedtime")
    ava.say("no")
    ava.say("pause")  # before choosing who may see the house of worries
    assert "My dog" not in family_texts(database, conference)  # not sent yet
    sent(database, "P2")
    texts = family_texts(database, conference)
    assert "My dog" in texts and "Bedtime" not in texts  # never chosen: private
    assert "Bedtime" in json.dumps(summary(database, conference, "chair"))


def test_a_young_persons_reasons_follow_their_choice(database, conference):
    with database.session() as session, session.begin():
        ava = session.execute(select(Participant).where(Participant.key == "P2")).scalar_one()
        save_answer(session, ava, "strengths", "good_things", "My dog", share_with="everyone")
        save_answer(
            session,
            ava,
            "worries",
            "worries_house",
            "Bedtime",
            share_with="chair_and_social_worker",
        )
        statement = session.get(Conference, conference).danger_statements[0]
        session.add(
            Score(
                danger_statement=statement,
                participant=ava,
                score=3,
                reason="Dad shouts",
                next_point="No shouting",
            )
        )
    sent(database, "P2")
    # Ava kept her house of worries private: her reasons stay with the chair.
    family = {s["participant"]: s for s in summary(database, conference, "family")["scores"]}
    assert family["P2"]["score"] == 3
    assert family["P2"]["reason"] is None and family["P2"]["next_point"] is None
    chair = {s["participant"]: s for s in summary(database, conference, "chair")["scores"]}
    assert chair["P2"]["reason"] == "Dad shouts" and chair["P2"]["family_sees_reasons"] is False


def test_words_behind_a_concern_never_reach_the_family(database, conference):
    with database.session() as session, session.begin():
        kelly = session.execute(select(Participant).where(Participant.key == "P1")).scalar_one()
        save_answer(session, kelly, "worries", "worries", "My ex scares me")
        session.add(
            SafeguardingAlert(
                conference_id=conference, participant=kelly, kind="concern", text="My ex scares me"
            )
        )
    sent(database, "P1")
    texts = family_texts(database, conference)
    assert "Money" in texts and "My ex scares me" not in texts


def test_a_participant_who_did_not_consent_is_left_out_for_the_family(database, conference):
    sent(database, "P7", consent=False)
    family = json.dumps(summary(database, conference, "family"))
    assert "A parenting course" not in family and "P7 reason" not in family
    assert "A parenting course" in json.dumps(summary(database, conference, "chair"))


def test_companion_summary_writes_the_contract_shape(tmp_path, monkeypatch, capsys):
    env = environment_for(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["conference", "import", str(EXAMPLES / "demo-conference.yml")]) == 0
    conference_id = json.loads(capsys.readouterr().out)["conference_id"]
    output = tmp_path / "summary.json"
    assert main(["summary", conference_id, "--format", "json", "--output", str(output)]) == 0
    built = json.loads(output.read_text())
    assert set(built) >= {
        "conference",
        "danger_statements",
        "responses",
        "columns",
        "child_voice",
        "scores",
        "alerts",
    }
    assert built["conference"]["date"] == "2026-12-15T10:00"
    # Each response keeps the contract's fields; "removed_at" is added (nobody taken off here).
    for response in built["responses"]:
        assert {"participant", "role", "status"} <= set(response)
        assert response["status"] in {"not_started", "in_progress", "submitted"}
        assert response["removed_at"] is None
    assert set(built["columns"]) == {
        "worries",
        "complicating_factors",
        "strengths",
        "safety",
        "grey_areas",
        "next_steps",
    }
    assert main(["summary", conference_id, "--format", "markdown"]) == 0
    assert "## What's working well?" in capsys.readouterr().out
    assert main(["summary", "no-such-conference"]) == 2


def test_the_summary_as_html_and_word_keeps_the_family_out_of_the_alerts(
    tmp_path, monkeypatch, capsys
):
    from docx import Document

    env = environment_for(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["conference", "import", str(EXAMPLES / "demo-conference.yml")]) == 0
    conference_id = json.loads(capsys.readouterr().out)["conference_id"]
    assert main(["summary", conference_id, "--format", "html"]) == 0
    html = capsys.readouterr().out
    assert (
        '<table class="govuk-table">' in html
        and '<h2 class="govuk-heading-m">What&#39;s working well?</h2>' in html
    )
    assert "conference, Tuesday 15 December 2026 at 10am" in html  # as people say dates
    assert "2026-12-15T10:00" not in html
    word = tmp_path / "summary.docx"
    assert (
        main(
            [
                "summary",
                conference_id,
                "--format",
                "docx",
                "--audience",
                "family",
                "--output",
                str(word),
            ]
        )
        == 0
    )
    headings = [
        p.text for p in Document(str(word)).paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings[0].startswith("Review child protection conference")
    assert "Safety scores" in headings and "Safeguarding alerts" not in headings
    assert main(["summary", conference_id, "--format", "docx"]) == 2  # needs --output


def _kelly(session):
    return session.execute(select(Participant).where(Participant.key == "P1")).scalar_one()


def _kelly_alerted(session, conference, kind: str, text: str, **alert) -> Answer:
    """Kelly's worry, kept as an answer, and the alert its words raised, pointing at it."""
    kelly = _kelly(session)
    kept = save_answer(session, kelly, "worries", "worries", text)
    session.add(SafeguardingAlert(conference_id=conference, participant=kelly, kind=kind,
                                  text=text, answer=kept, **alert))  # fmt: skip
    session.flush()
    return kept


def test_an_alert_holds_back_the_answer_it_was_kept_as_until_released(database, conference):
    """The alert names its answer: that answer is held back, and marked so in the chair's
    copy, until the chair releases it; then it reaches the family like any other."""
    with database.session() as session, session.begin():
        kept = _kelly_alerted(session, conference, "immediate_danger",
                              "He grabbed my arm on Friday", check_reply="safe_now")  # fmt: skip
        kept_id = kept.id
    sent(database, "P1")
    assert "He grabbed my arm" not in family_texts(database, conference)
    chair = summary(database, conference, "chair")
    [item] = [i for i in chair["columns"]["worries"] if i["text"].startswith("He grabbed")]
    assert item["family_sees"] is False
    assert item["held_back"] == {"reason": "alert", "released": None, "shareable": True}
    alert = next(a for a in chair["alerts"] if a["text"].startswith("He grabbed"))
    assert alert["answer"] == f"a{kept_id}"
    assert alert["check_reply"] == "safe_now" and alert["read"] is False
    with database.session() as session, session.begin():
        answer = session.get(Answer, kept_id)
        answer.released_at, answer.released_by = datetime(2027, 1, 5, 10), "P5"
    assert "He grabbed my arm on Friday" in family_texts(database, conference)
    [item] = [
        i
        for i in summary(database, conference, "chair")["columns"]["worries"]
        if i["text"].startswith("He grabbed")
    ]
    assert item["family_sees"] is True
    assert item["held_back"]["released"] == {"by": "P5", "at": "2027-01-05T10:00:00"}


def test_a_revised_answer_stays_held_back(database, conference):
    """Kelly changed the words that raised a concern: the new version is held back too,
    until the chair has read and released it."""
    with database.session() as session, session.begin():
        kept = _kelly_alerted(session, conference, "concern", "My ex turns up drunk")
        revised = revise_answer(session, kept, "My ex turns up drunk at night", "participant:P1")
        revised_id = revised.id
    sent(database, "P1")
    assert "My ex turns up" not in family_texts(database, conference)
    [alert] = [
        a for a in summary(database, conference, "chair")["alerts"] if a["kind"] == "concern"
    ]
    assert alert["answer"] == f"a{revised_id}"  # where it is on the board now


def test_score_reasons_that_raised_a_concern_are_still_matched_by_their_words(database, conference):
    """Scores are not answers: their reasons are held back by the alert's words."""
    with database.session() as session, session.begin():
        kelly = _kelly(session)
        statement = session.get(Conference, conference).danger_statements[0]
        for score in session.execute(
            select(Score).where(Score.participant_id == kelly.id)
        ).scalars():
            score.superseded_at = datetime(2027, 1, 1)
        session.add(
            Score(
                danger_statement=statement,
                participant=kelly,
                score=5,
                reason="He said he would hurt us",
                next_point="He moves out",
            )
        )
        session.add(
            SafeguardingAlert(
                conference_id=conference,
                participant=kelly,
                kind="concern",
                text="He said he would hurt us",
            )
        )
    sent(database, "P1")
    family = {s["participant"]: s for s in summary(database, conference, "family")["scores"]}
    assert family["P1"]["score"] == 5 and family["P1"]["reason"] is None
