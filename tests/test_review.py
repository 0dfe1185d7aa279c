"""The record's builder with the chair's hand in it: edits over the board, the family's copy
closed by default, the decision's checks, and versions after approve-then-edit."""

from __future__ import annotations

import json

import pytest
from multidict import MultiDict

from bot.cli import main
from bot.model.answers import revise_answer, save_answer
from bot.model.tables import Answer, Conference, Participant, RecordEdit
from bot.review import record
from bot.review.edits import EditRefused, check_edit
from bot.summary.build import build_summary
from bot.summary.markdown import to_markdown
from tests.conftest import EXAMPLES, answered_demo, environment_for


@pytest.fixture
def conference(database):
    return answered_demo(database)


def edit(database, conference_id, ids, **fields):
    with database.session() as session, session.begin():
        row = RecordEdit(conference_id=conference_id, chair_id=ids["P5"], **fields)
        session.add(row)
        session.flush()
        return row.id


def summary(database, conference_id, audience="chair"):
    with database.session() as session:
        return build_summary(session, conference_id, audience)


def item(built, text):
    return next(i for found in built["columns"].values() for i in found if i["text"] == text)


def column_of(built, text):
    return next(c for c, found in built["columns"].items() if any(i["text"] == text for i in found))


def test_a_reword_keeps_the_words_as_said_and_says_who_changed_them(database, conference):
    conference_id, ids = conference
    drinking = item(summary(database, conference_id), "Dad's drinking at weekends")
    edit(database, conference_id, ids, kind="reword", item=drinking["id"], text="Dad drinks")
    reworded = item(summary(database, conference_id), "Dad drinks")
    assert reworded["original"] == "Dad's drinking at weekends"
    assert [(c["kind"], c["by"]) for c in reworded["changes"]] == [("reword", "P5")]
    family = summary(database, conference_id, "family")
    assert item(family, "Dad drinks")["original"] == "Dad's drinking at weekends"
    assert "(reworded by the chair)" in to_markdown(family)


def test_a_move_keeps_parents_first_in_the_new_column(database, conference):
    conference_id, ids = conference
    built = summary(database, conference_id)
    police = item(built, "Police were called in March")
    edit(database, conference_id, ids, kind="move", item=police["id"], column_key="strengths")
    after = summary(database, conference_id)
    assert [i["role"] for i in after["columns"]["strengths"]] == [
        "parent",
        "young_person",
        "social_worker",
    ]
    assert item(after, "Police were called in March")["changes"][0]["from"] == "worries"


def test_merge_with_words_the_family_may_not_read_leaves_both_out_of_their_copy(
    database, conference
):
    conference_id, ids = conference
    built = summary(database, conference_id)
    kelly = item(built, "Dad's drinking at weekends")
    jo = item(built, "Police were called in March")
    edit(database, conference_id, ids, kind="merge", item=kelly["id"], other_item=jo["id"])
    merged = summary(database, conference_id)
    assert item(merged, "Dad's drinking at weekends")["also"] == [
        {"participant": "P3", "role": "social_worker", "text": "Police were called in March"}
    ]
    assert item(merged, "Dad's drinking at weekends")["family_sees"] is False
    assert "Police were called in March" not in str(merged["columns"]["worries"][1:])
    family = summary(database, conference_id, "family")
    assert family["columns"]["worries"] == []


def test_the_chairs_own_item_reaches_the_family_only_when_the_chair_says(database, conference):
    conference_id, ids = conference
    edit(database, conference_id, ids, kind="add", column_key="next_steps", text="Core group")
    edit(
        database,
        conference_id,
        ids,
        kind="add",
        column_key="next_steps",
        text="Refer to CAMHS",
        family_sees=True,
    )
    built = summary(database, conference_id)
    assert [(i["text"], i["role"], i["family_sees"]) for i in built["columns"]["next_steps"]] == [
        ("Core group", "chair", False),
        ("Refer to CAMHS", "chair", True),
    ]
    family = summary(database, conference_id, "family")
    assert [i["text"] for i in family["columns"]["next_steps"]] == ["Refer to CAMHS"]


def test_a_grey_area_and_a_childs_words_are_checked_before_they_are_saved(database, conference):
    conference_id, _ = conference
    built = summary(database, conference_id)
    hamster = item(built, "my hamster Biscuit")
    assert hamster["child_voice"] is True
    with pytest.raises(EditRefused, match="never reworded"):
        check_edit(built["columns"], "reword", hamster["id"], None, None, "A pet")
    with pytest.raises(EditRefused, match="Choose a column"):
        check_edit(built["columns"], "move", hamster["id"], None, "garden", None)
    with pytest.raises(EditRefused, match="no longer on the board"):
        check_edit(built["columns"], "move", "a999999", None, "grey_areas", None)
    with pytest.raises(EditRefused, match="another item"):
        check_edit(built["columns"], "merge", hamster["id"], hamster["id"], None, None)
    check_edit(built["columns"], "move", hamster["id"], None, "grey_areas", None)
    assert column_of(built, "my hamster Biscuit") == "strengths"


def decision_form(**overrides):
    form = {
        "plan": "yes",
        "categories": ["neglect"],
        "rationale": "The worries about drinking remain.",
        "core_group_date-day": "5",
        "core_group_date-month": "1",
        "core_group_date-year": "2027",
        "next_review_date-day": "15",
        "next_review_date-month": "6",
        "next_review_date-year": "2027",
    }
    form.update(overrides)
    posted = MultiDict()
    for key, value in form.items():
        for one in value if isinstance(value, list) else [value]:
            posted.add(key, one)
    return posted


def check(database, conference_id, **overrides):
    with database.session() as session:
        conference = session.get(Conference, conference_id)
        categories = ["neglect", "emotional_abuse"]
        return record.check_decision(decision_form(**overrides), conference, categories)


def test_the_decision_is_checked_against_the_guidance(database, conference):
    conference_id, _ = conference  # the demo conference is on Tuesday 15 December 2026
    assert check(database, conference_id).errors == {}
    assert "plan" in check(database, conference_id, plan="").errors
    assert "categories" in check(database, conference_id, categories=[]).errors
    # 20 working days after 15 December 2026, with Christmas and New Year, is 15 January
    late = check(database, conference_id, **{"core_group_date-day": "18"})
    assert "by Friday 15 January 2027" in late.errors["core_group_date"]
    assert check(database, conference_id, **{"core_group_date-day": "15"}).errors == {}
    impossible = check(
        database, conference_id, **{"next_review_date-day": "31", "next_review_date-month": "2"}
    )
    assert "real date" in impossible.errors["next_review_date"]
    assert "rationale" in check(database, conference_id, rationale="  ").errors
    blank = {f"core_group_date-{part}": "" for part in ("day", "month", "year")}
    ends = check(database, conference_id, plan="no", **blank)
    assert ends.errors == {} and ends.values["categories"] == []


def approve(database, conference_id, ids, decided=True):
    """The chair records a decision (unless told not to), then approves."""
    with database.session() as session, session.begin():
        conference = session.get(Conference, conference_id)
        chair = session.get(Participant, ids["P5"])
        if decided:
            values = check(database, conference_id).values
            record.save_decision(session, conference, chair, values)
            session.flush()
        summary = build_summary(session, conference_id)
        return record.approve(session, conference, chair, summary, early_confirmed=True)


def test_approve_then_edit_opens_the_next_version_and_keeps_the_first(database, conference):
    conference_id, ids = conference
    assert summary(database, conference_id)["record"]["version"] == 1
    with pytest.raises(record.ApproveRefused, match="no_decision"):
        approve(database, conference_id, ids, decided=False)
    approve(database, conference_id, ids)
    approved = summary(database, conference_id)
    assert approved["conference"]["status"] == "approved"
    assert approved["record"]["version"] == 1
    # 15 working days after Tuesday 15 December 2026, without Christmas and New Year
    assert approved["record"]["due"] == "2027-01-08"
    with pytest.raises(record.ApproveRefused, match="unchanged"):
        approve(database, conference_id, ids, decided=False)

    drinking = item(approved, "Dad's drinking at weekends")
    edit(database, conference_id, ids, kind="reword", item=drinking["id"], text="Drinking")
    draft = summary(database, conference_id)
    assert draft["conference"]["status"] == "draft"
    assert draft["record"]["version"] == 2
    assert summary(database, conference_id, "family")["record"]["version"] == 2
    assert [v["version"] for v in draft["record"]["approved"]] == [1]
    with database.session() as session:
        first = record.approved_record(session, conference_id, 1)
    assert first["conference"]["status"] == "approved"
    assert first["decision"]["plan"] == "yes"
    assert item(first, "Dad's drinking at weekends")["family_sees"] is True


def test_anything_new_after_approval_makes_the_record_a_draft_again(database, conference):
    """A late answer, or a participant changing their mind about sharing."""
    conference_id, ids = conference
    approve(database, conference_id, ids)
    with database.session() as session, session.begin():
        save_answer(session, session.get(Participant, ids["P4"]), "worries", "gp", "Late report")
    assert summary(database, conference_id)["record"]["status"] == "draft"
    approve(database, conference_id, ids, decided=False)
    assert summary(database, conference_id)["record"]["version"] == 2
    with database.session() as session, session.begin():
        session.get(Participant, ids["P1"]).consent_to_share = False
    assert summary(database, conference_id)["record"]["status"] == "draft"


def test_the_chairs_move_and_merge_follow_an_answer_its_author_revised(database, conference):
    """Kelly changes her words after the chair moved and merged them: the move and merge
    stay; a reword of her old words gives way to her new ones."""
    conference_id, ids = conference
    built = summary(database, conference_id)
    drinking = item(built, "Dad's drinking at weekends")
    nan = item(built, "Nan has the kids Sundays")
    edit(database, conference_id, ids, kind="move", item=drinking["id"], column_key="grey_areas")
    edit(database, conference_id, ids, kind="merge", item=drinking["id"], other_item=nan["id"])
    edit(database, conference_id, ids, kind="reword", item=nan["id"], text="Nan helps")
    with database.session() as session, session.begin():
        old = session.get(Answer, int(nan["id"][1:]))
        revise_answer(session, old, "Nan has them every Sunday now", "participant:P1")
        old = session.get(Answer, int(drinking["id"][1:]))
        revise_answer(session, old, "Dad drinks less now", "participant:P1")
    after = summary(database, conference_id)
    assert column_of(after, "Dad drinks less now") == "grey_areas"
    merged = item(after, "Dad drinks less now")
    assert [other["text"] for other in merged["also"]] == ["Nan has them every Sunday now"]
    family = summary(database, conference_id, "family")
    assert column_of(family, "Dad drinks less now") == "grey_areas"


def test_companion_chair_link_prints_a_link_and_emails_it_through_notify(
    tmp_path, monkeypatch, capsys, fake_notify
):
    env = {
        **environment_for(tmp_path),
        **fake_notify.environment(),
        "NOTIFY_SIGN_IN_TEMPLATE_ID": "sign-in-template",
        "COMPANION_PUBLIC_URL": "https://companion.example.gov.uk",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["conference", "import", str(EXAMPLES / "demo-conference.yml")]) == 0
    conference_id = json.loads(capsys.readouterr().out)["conference_id"]
    before = len(fake_notify.received)

    assert main(["chair-link", conference_id]) == 0
    printed = capsys.readouterr()
    link = printed.out.strip()
    assert link.startswith("https://companion.example.gov.uk/sign-in/")
    assert "emailed to sam.patel@example.gov.uk" in printed.err
    sent = [m for m in fake_notify.received[before:] if m["template_id"] == "sign-in-template"]
    assert [m["email_address"] for m in sent] == ["sam.patel@example.gov.uk"]
    assert sent[0]["personalisation"]["link"] == link

    assert main(["chair-link", "no-such-conference"]) == 2
    assert "no conference no-such-conference with a chair" in capsys.readouterr().err
