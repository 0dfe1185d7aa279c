"""A child's pictures in her read-back ("Here is everything you told me"), on the real
conversation engine and a real database: one line under each house she sent pictures for
(and for the chair), so she can check they went in; the numbers stay her answers'."""

from __future__ import annotations

from bot.model.pictures import keep_picture
from bot.model.tables import Participant
from bot.pictures import clean_picture
from tests.conftest import EXAMPLES, EngineChat, conference_with
from tests.test_pictures import drawing

DEMO = (EXAMPLES / "demo-conference.yml").read_text()


def ava_at(database) -> EngineChat:
    _, ids = conference_with(database, DEMO)
    ava = EngineChat(database, ids["P2"])
    ava.start()
    return ava


def sends(database, ava: EngineChat, house: str, question: str, count: int = 1) -> None:
    """As bot/picture_sent.py keeps a picture she sends at a question."""
    with database.session() as session, session.begin():
        participant = session.get(Participant, ava.participant_id)
        for _ in range(count):
            keep_picture(session, participant, house, question, clean_picture(drawing(), 10))


def to_the_read_back(ava: EngineChat) -> str:
    said = ""
    for _ in range(20):
        if "Here is everything you told me" in said:
            return said
        said = ava.say("everyone" if "Who can see" in said else "skip")
    raise AssertionError(f"no read-back: {said}")


def test_the_read_back_says_how_many_pictures_she_sent_for_each_house(database):
    ava = ava_at(database)
    ava.say("My dog")
    sends(database, ava, "good_things", "good_things")
    sends(database, ava, "dreams", "house_dreams", count=2)  # and no words there
    sends(database, ava, "chair", "send_to_chair")
    said = to_the_read_back(ava)
    houses = said.split("\n\n")
    assert houses[1:] == [
        "🏠 House of good things\n1. My dog\nYou sent 1 picture for your house of good things.",
        "🌈 House of dreams\nYou sent 2 pictures for your house of dreams.",
        "For the chair\nYou sent 1 picture for the chair.",
    ]
    assert "I have changed it" in ava.say("1") + ava.say("My dog Rex")  # numbers: her words


def test_pictures_alone_are_read_back_not_called_nothing(database):
    ava = ava_at(database)
    sends(database, ava, "worries", "house_worries")
    said = to_the_read_back(ava)
    assert "You have not told me anything yet" not in said
    assert said.endswith("🌧️ House of worries\nYou sent 1 picture for your house of worries.")
