"""A child's pictures: kept encrypted beside their houses, and private until she chooses.

A picture is private to the chair and the social worker until the child chooses
"everyone" for its house (the same choice as for her words there); the family's copy
holds it only then, and only once she has sent her answers and agreed to share them.
"""

from __future__ import annotations

import base64

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from bot.model.audit import record
from bot.model.tables import Participant, Picture
from bot.pictures import CleanPicture
from bot.summary.outline import HOUSE_WORDS

FOR_CHAIR = "chair"  # the "house" of a picture sent to the chair
# Who or what a picture is for, in the words she reads.
FOR_WHOM = {**{house: f"your {words}" for house, words in HOUSE_WORDS.items()},
            FOR_CHAIR: "the chair"}  # fmt: skip
ITEM_PREFIX = "pic"  # a picture's id in the summary, beside the answers' "a<id>"


def picture_item(picture_id: int) -> str:
    return f"{ITEM_PREFIX}{picture_id}"


def keep_picture(
    session: Session, participant: Participant, house: str, question_key: str, clean: CleanPicture
) -> Picture:
    picture = Picture(
        participant=participant,
        house=house,
        question_key=question_key,
        media_type=clean.media_type,
        width=clean.width,
        height=clean.height,
        image=clean.data,
    )
    session.add(picture)
    session.flush()
    record(session, participant.actor, "picture_kept", "picture", picture.id, house=house)
    return picture


def pictures_of(session: Session, participant: Participant, house: str | None = None) -> list:
    query = select(Picture).where(Picture.participant_id == participant.id)
    if house is not None:
        query = query.where(Picture.house == house)
    return list(session.execute(query.order_by(Picture.id)).scalars())


def pictures_sent(session: Session, participant: Participant) -> dict[str, str]:
    """For each house (or the chair) she sent pictures for: how many, in words ("1 picture",
    "2 pictures"), for her read-back."""
    counts: dict[str, int] = {}
    for picture in pictures_of(session, participant):
        counts[picture.house] = counts.get(picture.house, 0) + 1
    return {house: f"{n} picture{'' if n == 1 else 's'}" for house, n in counts.items()}


def share_pictures(session: Session, participant: Participant, house: str, share_with: str) -> None:
    """Her choice for a house is her choice for its pictures too."""
    for picture in pictures_of(session, participant, house):
        picture.share_with = share_with


def picture_for_chair(session: Session, conference_id: str, item: str) -> Picture | None:
    """One picture of this conference, with its image, by its summary id."""
    number = item.removeprefix(ITEM_PREFIX)
    if not item.startswith(ITEM_PREFIX) or not number.isdigit():
        return None
    picture = session.execute(
        select(Picture)
        .join(Participant)
        .where(Picture.id == int(number), Participant.conference_id == conference_id)
        .options(undefer(Picture.image))
    ).scalar_one_or_none()
    return picture


def picture_items(
    session: Session, participants: list, agreed: set[int], held: dict, family: bool
) -> list:
    """The summary's pictures, parents-first order as given; the family's only those a child
    chose to show everyone, once she sent her answers and agreed to share them, and not
    while words of hers at that house are held back (`held`: (participant id, house) ->
    "alert" or "concern"; bot/summary/build.py)."""
    rank = {participant.id: index for index, participant in enumerate(participants)}
    found = session.execute(
        select(Picture).where(Picture.participant_id.in_(rank)).order_by(Picture.id)
    ).scalars()
    items = []
    for picture in sorted(found, key=lambda p: rank[p.participant_id]):
        shareable = picture.participant_id in agreed and picture.share_with == "everyone"
        reason = held.get((picture.participant_id, picture.house))
        family_sees = shareable and reason is None
        # shaped as an answer's mark: the chair releases her words, and the picture follows
        held_back = reason and {"reason": reason, "released": None, "shareable": shareable}
        if family and not family_sees:
            continue
        items.append(
            {
                "id": picture_item(picture.id),
                "participant": picture.participant.key,
                "role": picture.participant.role,
                "house": picture.house,
                "share_with": picture.share_with,
                "media_type": picture.media_type,
                "width": picture.width,
                "height": picture.height,
                **({} if family else {"family_sees": family_sees, "held_back": held_back}),
            }
        )
    return items


def with_images(session: Session, summary: dict) -> dict:
    """The summary with each picture's image in it as a data: address, for an export file
    that must stand alone (JSON, HTML)."""
    for item in summary.get("pictures", []):
        picture = picture_for_chair(session, summary["conference"]["id"], item["id"])
        if picture is not None:
            encoded = base64.b64encode(picture.image).decode("ascii")
            item["src"] = f"data:{picture.media_type};base64,{encoded}"
    return summary
