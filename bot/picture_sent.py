"""A picture sent in a chat (the web chat's file input, a Telegram photo): taken only from a
child at one of her houses, or where she chose to send the chair a picture (the agenda's
`picture: true`, kept as for the house "chair": for the chair and the social worker
only); checked and made anew (bot/pictures.py), kept encrypted (bot/model/pictures.py) in
the caller's one transaction, so nothing is half-kept.

The conversation does not move: she is still at the same question, and can write there
too, send another picture, or go on. Who may see the picture is asked with the house.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.agenda.loader import Agenda
from bot.dialogue.conversation import Conversation
from bot.dialogue.state import Phase
from bot.dialogue.steps import Step
from bot.model.invites import participant_for_sender
from bot.model.pictures import FOR_CHAIR, FOR_WHOM, keep_picture
from bot.model.tables import Progress
from bot.pictures import CleanPicture, PictureRefused

KEPT = (
    "Thank you. I have kept your picture for {whom}. You can send another, "
    "write something, or carry on."
)
ONLY_WORDS = "I can only read typed words. Please type your answer, or tap one of the buttons."
NOT_HERE = (
    "Sorry, I can only take a picture at your houses, or when you send one to the chair. "
    "Please type your answer instead."
)
# Telegram shows no file input, so a child there is told once at each question that takes one.
PHOTO_HINT = "You can send a photo of a drawing too."


def house_step(session: Session, sender: str, agenda: Agenda) -> Step | None:
    """The question a child is at now, where a picture may be sent: a house, or a question
    with `picture: true` (none for an adult, at a question of another kind, or while the
    chat waits for "Are you safe?")."""
    return _where(session, sender, agenda)[1]


def step_at(session: Session, sender: str) -> str | None:
    """The id of the question this sender is at now (None: no one we know, or none yet)."""
    participant = participant_for_sender(session, sender)
    progress = participant and session.get(Progress, participant.id)
    return progress.step if progress else None


def photo_hint(session: Session, sender: str, agenda: Agenda, before: str | None) -> str | None:
    """PHOTO_HINT when a child has just come to a question where a picture may be sent
    (`before`: step_at before her message), so it is said once there, not after each reply."""
    step = house_step(session, sender, agenda)
    return PHOTO_HINT if step is not None and step.id != before else None


def _where(session: Session, sender: str, agenda: Agenda) -> tuple:
    """Who sends (None: no one we know) and house_step's question, found once."""
    participant = participant_for_sender(session, sender)
    if participant is None or participant.role != "young_person":
        return participant, None
    conversation = Conversation(session, participant, agenda)
    step = conversation.step
    if (
        not conversation.at_a_question
        or not (step.question.house or step.question.picture)
        or step.kind == "share"
        or conversation.phase not in (Phase.ASK, Phase.MORE)
        or conversation.data.safety_check is not None
    ):
        return participant, None
    return participant, step


def _refusal(participant, step: Step | None) -> str | None:
    if participant is None or participant.role != "young_person":
        return ONLY_WORDS
    return None if step else NOT_HERE


def refusal(session: Session, sender: str, agenda: Agenda) -> str | None:
    """Why a picture cannot be taken from this sender now (None: it can)."""
    return _refusal(*_where(session, sender, agenda))


def take_picture(session: Session, sender: str, agenda: Agenda, clean: CleanPicture) -> str:
    """Keep the picture at the house she is at; the words to tell her. PictureRefused
    (with words for her) when a picture cannot be taken now."""
    participant, step = _where(session, sender, agenda)
    if words := _refusal(participant, step):
        raise PictureRefused(words)
    house = picture_house(step)
    keep_picture(session, participant, house, step.id, clean)
    return KEPT.format(whom=FOR_WHOM[house])


def picture_house(step: Step) -> str:
    """Where a picture sent at this question is kept: its house, or the chair's."""
    return step.question.house or FOR_CHAIR
