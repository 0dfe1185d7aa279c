"""A child's drawing, through the real stack: sent in the web chat (a plain multipart form)
or as a Telegram photo at one of her houses, made anew without its metadata, kept
encrypted, shown to the chair alone; in the family's copy only when she chose "everyone"
for that house. Anything else sent is refused kindly, and nothing is kept."""

from __future__ import annotations

import io
import itertools
import re
import socket
import struct
from urllib.parse import urlsplit

import pytest
import requests
from PIL import Image
from sqlalchemy import select, text

from bot.model.database import Database
from bot.model.tables import Answer, AuditEvent, Participant, Picture, SafeguardingAlert
from bot.picture_sent import PHOTO_HINT
from bot.pictures import clean_picture
from bot.review import signin
from bot.summary.build import build_summary
from tests.conftest import EXAMPLES, import_conference
from tests.test_telegram import TelegramUser, texts
from tests.test_web_chat import Browser

GPS = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}


def drawing(fmt: str = "PNG", size=(320, 240)) -> bytes:
    """A house drawn in crayon, as a phone saves it: with its maker and where it was."""
    image = Image.new("RGB", size, "white")
    for x in range(size[0] // 5, size[0] * 4 // 5):  # the house: a red block
        for y in range(size[1] * 2 // 5, size[1] * 4 // 5):
            image.putpixel((x, y), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "CrayonPhone"  # Make
    exif[0x8825] = GPS  # GPSInfo
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def turned_with_bad_exif(fmt: str) -> bytes:
    """A photo taken sideways (EXIF orientation 6, 60 wide and 40 high) whose EXIF also
    holds a tag of type FLOAT, which Pillow can read but not write back."""
    entries = [(0x0112, 3, 1, b"\0\x06\0\0"), (0x0131, 11, 1, b"\0\0\0\0")]
    ifd = struct.pack(">H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack(">HHI", tag, kind, count) + value
    exif = b"Exif\0\0MM\0*\0\0\0\x08" + ifd + b"\0\0\0\0"
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(out, fmt, exif=exif)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_photo_with_malformed_exif_is_still_taken_the_right_way_up(fmt):
    clean = clean_picture(turned_with_bad_exif(fmt), 10)
    assert (clean.width, clean.height) == (40, 60)
    assert not Image.open(io.BytesIO(clean.data)).getexif()


@pytest.fixture
def codes(stack):
    return import_conference(stack.env, EXAMPLES / "demo-conference.yml")


class Child(Browser):
    def picture(self, data: bytes, name="house.png", kind="image/png") -> requests.Response:
        return self.http.post(
            f"{self.base}/chat/picture",
            data={"csrf": self.csrf()},
            files={"picture": (name, data, kind)},
            timeout=60,
        )


def kept(stack, conference_id: str) -> list[Picture]:
    database = Database(stack.settings)
    try:
        with database.session() as session:
            found = session.execute(
                select(Picture)
                .join(Participant)
                .where(Participant.conference_id == conference_id)
                .order_by(Picture.id)
            ).scalars()
            pictures = [(p, p.image) for p in found]
            session.expunge_all()
            return [p for p, _ in pictures]
    finally:
        database.dispose()


def figure(page: str, picture_id: int) -> str:
    """A picture's figure on the child's voice page, with its caption."""
    start = page.index(f'id="pic{picture_id}"')
    return page[start : page.index("</figure>", start)]


def error_of(response: requests.Response) -> str:
    return re.search(r'govuk-error-summary__title">([^<]*)<', response.text).group(1)


def test_a_drawing_with_its_location_is_made_anew_kept_encrypted_and_shown_to_the_chair(
    stack, codes
):
    ava = Child(stack)
    ava.start(codes["P2"])
    page = ava.get()
    assert "House of good things" in page.text
    assert 'enctype="multipart/form-data"' in page.text and 'type="file"' in page.text

    sent = ava.picture(drawing())
    assert sent.status_code == 200 and sent.url.endswith("/chat#choices")
    assert "I have kept your picture for your house of good things" in sent.text
    assert "📷 A picture" in sent.text  # her turn, in the conversation shown

    [picture] = kept(stack, codes["id"])
    assert picture.house == "good_things" and picture.share_with == "chair_and_social_worker"
    image = Image.open(io.BytesIO(picture.image))
    assert image.format == "PNG" and image.size == (320, 240)
    assert not image.getexif() and b"CrayonPhone" not in picture.image
    assert image.getpixel((100, 150))[:3] == (200, 40, 40)  # the drawing itself is kept
    database = Database(stack.settings)
    with database.engine.connect() as connection:  # at rest: a Fernet token, not a PNG
        stored = connection.execute(
            text("SELECT image FROM picture WHERE id = :id"), {"id": picture.id}
        ).scalar_one()
    assert stored.startswith("gAAAA") and "PNG" not in stored

    # The chair: on the child's voice page, through the chair's own image address.
    with database.session() as session, session.begin():
        token = signin.issue_link(session, codes["id"], actor="test")
    chair = requests.Session()
    signed = chair.post(f"{stack.settings.web_url}/sign-in", data={"token": token}, timeout=60)
    assert signed.status_code == 200
    child = chair.get(f"{stack.settings.web_url}/conferences/{codes['id']}/child", timeout=60)
    src = re.search(r'<img class="companion-picture__image" src="([^"]+)"', child.text).group(1)
    assert "Only the social worker and the chair" in child.text
    shown = chair.get(stack.settings.web_url + src, timeout=60)
    assert shown.status_code == 200 and shown.headers["Content-Type"] == "image/png"
    assert "no-store" in shown.headers["Cache-Control"]
    assert shown.content == picture.image
    # Nobody else: not Ava's own chat, not a browser without the chair's session.
    assert ava.get(src).status_code == 401
    assert requests.get(stack.settings.web_url + src, timeout=60).status_code == 401
    with database.session() as session:
        assert session.execute(
            select(AuditEvent).where(AuditEvent.action == "viewed_picture")
        ).first()
    # Another conference's chair, signed in, asking for it by its id from their own pages.
    other = import_conference(stack.env, EXAMPLES / "demo-conference.yml")["id"]
    with database.session() as session, session.begin():
        other_token = signin.issue_link(session, other, actor="test")
    database.dispose()
    another_chair = requests.Session()
    another_chair.post(f"{stack.settings.web_url}/sign-in", data={"token": other_token}, timeout=60)
    elsewhere = src.replace(f"/conferences/{codes['id']}/", f"/conferences/{other}/")
    assert elsewhere != src
    assert another_chair.get(stack.settings.web_url + elsewhere, timeout=60).status_code == 404


@pytest.mark.parametrize(
    "name, data, kind",
    [
        ("report.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "application/pdf"),
        ("drawing.png", b"This is a note, not a picture at all.", "image/png"),
        ("broken.png", drawing()[:200], "image/png"),
    ],
)
def test_what_is_not_a_picture_is_refused_kindly_and_nothing_is_kept(
    stack, codes, name, data, kind
):
    ava = Child(stack)
    ava.start(codes["P2"])
    refused = ava.picture(data, name, kind)
    assert refused.status_code == 400
    assert error_of(refused).startswith("Sorry, I could not open that as a picture.")
    assert "House of good things" in refused.text  # still at her question
    assert kept(stack, codes["id"]) == []


def test_a_picture_too_big_is_refused_and_nothing_is_kept(stack, codes):
    ava = Child(stack)
    ava.start(codes["P2"])
    huge = drawing() + b"\0" * (11 * 1024 * 1024)  # beyond the 10 MB setting
    refused = ava.picture(huge)
    assert refused.status_code == 400
    assert (
        error_of(refused) == "Sorry, that picture is too big. Please send one smaller than 10 MB."
    )
    assert kept(stack, codes["id"]) == []


def first_chunk_answer(base: str, field: str, cookie: str = "") -> bytes:
    """A chunked upload (no Content-Length) whose first chunk begins a long form field and
    stops: the start of the server's answer, or b"" if it waits for the rest."""
    where = urlsplit(base)
    head = (
        f"POST /chat/picture HTTP/1.1\r\nHost: {where.netloc}\r\n"
        f"Origin: {base}\r\nCookie: {cookie}\r\n"
        "Content-Type: multipart/form-data; boundary=edge\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = (
        f'--edge\r\nContent-Disposition: form-data; name="{field}"; filename="a.png"\r\n\r\n'
    ).encode() + b"0" * 64_000
    with socket.create_connection((where.hostname, where.port), timeout=5) as connection:
        connection.sendall(head + f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        try:
            return connection.recv(100)
        except TimeoutError:
            return b""


def test_an_upload_is_refused_before_it_is_read_without_a_chat_or_beyond_a_fields_size(
    stack, codes
):
    # No chat: refused at once, with the rest of the upload never asked for.
    assert first_chunk_answer(stack.settings.web_url, "picture").startswith(b"HTTP/1.1 401")
    # A live chat, but a form field far longer than a CSRF token: refused at its first KB.
    ava = Child(stack)
    ava.start(codes["P2"])
    cookie = f"companion_chat={ava.http.cookies['companion_chat']}"
    answer = first_chunk_answer(stack.settings.web_url, "csrf", cookie)
    assert answer.startswith(b"HTTP/1.1 400")
    assert kept(stack, codes["id"]) == []


def test_a_photo_over_twice_the_limit_is_called_too_big_not_asked_for_again(stack, codes):
    """Not read at all, so its form's token is not read either: she is told why it was not
    taken, not "press Send again", which would only refuse it again."""
    ava = Child(stack)
    ava.start(codes["P2"])
    refused = ava.picture(drawing() + b"\0" * (21 * 1024 * 1024))
    assert refused.status_code == 400
    assert error_of(refused) == (
        "Sorry, that picture is too big. Please send one smaller than 10 MB."
    )
    assert "House of good things" in refused.text  # still at her question
    assert kept(stack, codes["id"]) == []


def test_an_adult_is_offered_no_picture_and_one_posted_is_not_kept(stack, codes):
    kelly = Child(stack)
    kelly.start(codes["P1"])
    assert 'type="file"' not in kelly.get().text
    refused = kelly.picture(drawing())
    assert refused.status_code == 400 and kept(stack, codes["id"]) == []


PHOTO_IDS = itertools.count(1)


def telegram_photo(fake_telegram, data: bytes, size=(400, 300)) -> list[dict]:
    """A photo as Telegram offers it: a small size and the whole one, on the fake Bot API."""
    file_id = f"drawing{next(PHOTO_IDS)}"
    fake_telegram.files[file_id] = data
    return [
        {"file_id": f"{file_id}-small", "file_unique_id": "s", "width": 90, "height": 67},
        {
            "file_id": file_id,
            "file_unique_id": "l",
            "width": size[0],
            "height": size[1],
            "file_size": len(data),
        },
    ]


def test_a_telegram_photo_at_her_house_is_fetched_from_the_bot_api_and_kept(
    stack, fake_telegram, codes
):
    ava = TelegramUser(stack, fake_telegram)
    ava.says(f"/start {codes['P2']}")
    sizes = telegram_photo(fake_telegram, drawing("JPEG", (400, 300)))
    assert ava.post(ava.message(photo=sizes)).status_code == 200
    assert "I have kept your picture for your house of good things" in texts(ava.replies())
    [picture] = kept(stack, codes["id"])
    image = Image.open(io.BytesIO(picture.image))
    assert picture.media_type == "image/jpeg" and image.size == (400, 300)
    assert not image.getexif() and b"CrayonPhone" not in picture.image

    fake_telegram.files["notes"] = b"%PDF-1.4 not a picture"
    document = {
        "file_id": "notes",
        "file_unique_id": "n",
        "file_name": "notes.pdf",
        "mime_type": "application/pdf",
        "file_size": 22,
    }
    assert ava.post(ava.message(document=document)).status_code == 200
    assert texts(ava.replies()).startswith("Sorry, I could not open that as a picture.")
    assert len(kept(stack, codes["id"])) == 1


def test_telegram_tells_a_child_once_at_each_house_that_she_can_send_a_photo(
    stack, fake_telegram, codes
):
    """Telegram shows no file input: a child is told after the question, once there (not
    after each reply at it); an adult never is."""
    ava = TelegramUser(stack, fake_telegram)
    started = [reply["text"] for reply in ava.says(f"/start {codes['P2']}")]
    assert started[-1] == PHOTO_HINT and started.count(PHOTO_HINT) == 1
    assert "good things" in started[-2]  # the question, just above it
    more = texts(ava.says("My nan and my cat"))
    assert "Is there anything else?" in more and PHOTO_HINT not in more
    assert PHOTO_HINT not in texts(ava.says("my dog"))
    told_at = []  # on through her houses: the question each hint follows
    for _ in range(8):
        said = texts(ava.says("skip")).split("\n")
        told_at += [said[-2] for line in said if line == PHOTO_HINT]
        if said[-1] == "Is there anything you want the chair to know?":
            break
    assert [question.split(".")[0] for question in told_at] == [
        "Who makes you feel safe?",  # her house of good things' second question
        "🌧️ House of worries",
        "🌈 House of dreams",
    ]  # not at who can see a house, nor at the questions after her houses
    kelly = TelegramUser(stack, fake_telegram)
    assert PHOTO_HINT not in texts(kelly.says(f"/start {codes['P1']}"))
    assert PHOTO_HINT not in texts(kelly.says("She loves football"))


def test_a_telegram_photos_caption_is_her_answer_and_put_to_the_safety_check(
    stack, fake_telegram, codes
):
    """Words sent with a photo are hers, as if typed: kept as her answer at that house,
    answered, and a disclosure among them raises an alert for the chair."""
    ava = TelegramUser(stack, fake_telegram)
    ava.says(f"/start {codes['P2']}")
    with_words = ava.message(
        photo=telegram_photo(fake_telegram, drawing("JPEG")), caption="My nan and my cat"
    )
    assert ava.post(with_words).status_code == 200
    said = texts(ava.replies())
    assert "I have kept your picture for your house of good things" in said
    assert "Is there anything else?" in said  # her words were taken as her answer
    hurt = ava.message(
        photo=telegram_photo(fake_telegram, drawing("JPEG")),
        caption="this is my arm where he hit me",
    )
    assert ava.post(hurt).status_code == 200

    database = Database(stack.settings)
    with database.session() as session:
        answers = session.execute(
            select(Answer.question_key, Answer.text)
            .join(Participant)
            .where(Participant.conference_id == codes["id"], Participant.role == "young_person")
        ).all()
        alerts = session.execute(
            select(SafeguardingAlert.text).where(SafeguardingAlert.conference_id == codes["id"])
        ).scalars()
        alerted = list(alerts)
    database.dispose()
    assert ("good_things", "My nan and my cat") in [tuple(a) for a in answers]
    assert alerted == ["this is my arm where he hit me"]
    assert len(kept(stack, codes["id"])) == 2


def test_the_family_copy_holds_her_picture_only_when_she_chose_everyone(stack, codes):
    """Ava sends a picture at her house of good things and one at her house of worries;
    she shows the good things to everyone and keeps her worries for the chair."""
    ava = Child(stack)
    ava.start(codes["P2"])
    ava.picture(drawing())
    # Nothing written (the house has two questions): her picture alone fills the house,
    # so who may see it is still asked.
    assert "Who makes you feel safe" in ava.say("skip").text
    assert "Who can see your house of good things?" in ava.say("skip").text
    ava.say("everyone")
    ava.say("I worry when mum cries")
    ava.picture(drawing(size=(200, 200)))
    ava.say("Nothing")
    ava.say("only the chair")
    good, worries = kept(stack, codes["id"])
    assert (good.share_with, worries.share_with) == ("everyone", "chair_and_social_worker")

    database = Database(stack.settings)
    with database.session() as session, session.begin():
        participant = session.get(Participant, good.participant_id)
        participant.response_status, participant.consent_to_share = "submitted", True
    with database.session() as session:
        family = build_summary(session, codes["id"], "family")
        chair = build_summary(session, codes["id"], "chair")
    database.dispose()
    assert [p["house"] for p in family["pictures"]] == ["good_things"]
    assert [(p["house"], p["family_sees"]) for p in chair["pictures"]] == [
        ("good_things", True),
        ("worries", False),
    ]


def test_a_picture_is_held_back_with_her_words_at_that_house_until_they_are_released(stack, codes):
    """Ava shows her house of good things to everyone, with a picture; her words there raised
    a concern. The picture stays out of the family's copy with them, is listed as held back
    in the family preview, and goes in once the chair releases her words."""
    ava = Child(stack)
    ava.start(codes["P2"])
    ava.picture(drawing())
    ava.say("My cat")
    page = ava.say("Nothing")
    for _ in range(4):
        if "Who can see your house of good things?" in page.text:
            break
        page = ava.say("skip")
    ava.say("everyone")
    [picture] = kept(stack, codes["id"])
    database = Database(stack.settings)
    with database.session() as session, session.begin():
        participant = session.get(Participant, picture.participant_id)
        participant.response_status, participant.consent_to_share = "submitted", True
        [answer] = [  # (its words are encrypted at rest: compared once read)
            a
            for a in session.execute(
                select(Answer).where(Answer.participant_id == participant.id)
            ).scalars()
            if a.text == "My cat"
        ]
        assert (answer.question_key, answer.share_with) == ("good_things", "everyone")
        session.add(
            SafeguardingAlert(
                conference_id=codes["id"],
                participant=participant,
                kind="concern",
                text="My cat",
                answer=answer,
            )
        )
        answer_id = answer.id
        token = signin.issue_link(session, codes["id"], actor="test")
    with database.session() as session:
        assert build_summary(session, codes["id"], "family")["pictures"] == []
        [marked] = build_summary(session, codes["id"], "chair")["pictures"]
    assert marked["family_sees"] is False and marked["held_back"]["reason"] == "concern"

    chair = requests.Session()
    chair.post(f"{stack.settings.web_url}/sign-in", data={"token": token}, timeout=60)
    family_page = f"{stack.settings.web_url}/conferences/{codes['id']}/family"
    preview = chair.get(family_page, timeout=60).text
    held = preview[preview.index('id="held-back"') :]
    assert f'id="held-pic{picture.id}"' in held
    assert "Her words at her house of good things raised a concern." in held
    child_page = f"{stack.settings.web_url}/conferences/{codes['id']}/child"
    voice = chair.get(child_page, timeout=60).text
    drawn = figure(voice, picture.id)
    said = voice[voice.index(f'id="a{answer_id}"') :]
    assert said.index("Held back from the family: it raised a concern") < said.index("</div>")
    assert "Held back from the family</strong>" in drawn
    assert "Her words here raised a concern." in drawn
    csrf = re.search(r'name="csrf" value="([^"]+)"', preview).group(1)
    chair.post(
        f"{stack.settings.web_url}/conferences/{codes['id']}/release",
        data={"csrf": csrf, "item": f"a{answer_id}"},
        timeout=60,
    )
    assert f'id="held-pic{picture.id}"' not in chair.get(family_page, timeout=60).text
    assert "Held back" not in figure(chair.get(child_page, timeout=60).text, picture.id)
    with database.session() as session:
        family = build_summary(session, codes["id"], "family")
    database.dispose()
    assert [p["house"] for p in family["pictures"]] == ["good_things"]


def test_a_child_who_chose_to_send_the_chair_a_picture_can_send_one(stack, codes):
    """ "Send a picture or a message" instead of meeting the chair leads to a question where
    she may write, or send a picture: kept for the chair alone, on the child's voice page,
    never in the family's copy."""
    ava = Child(stack)
    ava.start(codes["P2"])
    page = ava.get()
    for _ in range(12):  # past her houses, to the chair's question
        if "send them a picture or a message" in page.text:
            break
        page = ava.say("skip")
    assert "send them a picture or a message" in page.text
    page = ava.say("a drawing")
    assert "What would you like to tell the chair?" in page.text
    assert "Or send a drawing or a photo for the chair" in page.text

    sent = ava.picture(drawing())
    assert "I have kept your picture for the chair" in sent.text
    [picture] = kept(stack, codes["id"])
    assert (picture.house, picture.question_key) == ("chair", "send_to_chair")
    assert picture.share_with == "chair_and_social_worker"
    said = ava.say("I want to stay with mum and nan")
    assert "someone to help you say what you think" in said.text  # the next question

    database = Database(stack.settings)
    with database.session() as session, session.begin():
        token = signin.issue_link(session, codes["id"], actor="test")
        family = build_summary(session, codes["id"], "family")
    database.dispose()
    assert family["pictures"] == []
    chair = requests.Session()
    chair.post(f"{stack.settings.web_url}/sign-in", data={"token": token}, timeout=60)
    child = chair.get(f"{stack.settings.web_url}/conferences/{codes['id']}/child", timeout=60)
    assert "A picture for the chair" in child.text
    assert 'alt="A picture Ava Smith sent: A picture for the chair"' in child.text
    said_for_chair = chair.get(
        f"{stack.settings.web_url}/conferences/{codes['id']}/for-the-chair", timeout=60
    )
    assert "I want to stay with mum and nan" in said_for_chair.text
