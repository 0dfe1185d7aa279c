"""Every URL of the web app, in one list."""

from aiohttp import web

from bot.settings import PROJECT_ROOT
from bot.web import (
    chair,
    chair_alerts,
    chair_said,
    chat,
    conference_pages,
    conferences,
    invites,
    telegram,
    views,
)

ASSETS = PROJECT_ROOT / "build" / "assets"
STATIC = PROJECT_ROOT / "bot" / "web" / "static"

CONFERENCE = "/conferences/{conference_id}"


def setup_routes(app: web.Application) -> None:
    app.add_routes(
        [
            web.get("/", views.index, name="index"),
            web.get("/healthz", views.health, name="health"),
            web.get("/sign-in/{token}", views.sign_in_page, name="sign_in_page"),
            web.post("/sign-in", views.sign_in, name="sign_in"),
            web.get("/signed-out", views.signed_out, name="signed_out"),
            web.get("/staff/sign-in/{token}", views.staff_sign_in_page, name="staff_sign_in_page"),
            web.post("/staff/sign-in", views.staff_sign_in, name="staff_sign_in"),
            web.post("/staff/sign-out", conferences.sign_out, name="staff_sign_out"),
            web.get("/conferences", conferences.conference_list, name="conferences"),
            # Before CONFERENCE, which would take "new" and "import" for a conference's id.
            web.get("/conferences/new", conference_pages.new_conference, name="new_conference"),
            web.post("/conferences/new", conference_pages.create, name="create_conference"),
            web.get("/conferences/import", conference_pages.import_page, name="import_page"),
            web.post("/conferences/import", conference_pages.import_file, name="import_file"),
            web.get(CONFERENCE + "/edit", conference_pages.edit_page, name="conference_form"),
            web.post(CONFERENCE + "/edit", conference_pages.edit, name="change_conference"),
            web.get(CONFERENCE + "/invites", invites.invites_page, name="invites"),
            web.post(CONFERENCE + "/invites/send", invites.send_invites, name="send_invites"),
            web.post(
                CONFERENCE + "/invites/{participant_key}", invites.change_invite, name="invite"
            ),
            web.get(CONFERENCE + "/letter/{participant_key}", invites.letter, name="letter"),
            web.post(
                CONFERENCE + "/letter/{participant_key}/printed",
                invites.letter_printed,
                name="letter_printed",
            ),
            web.get(CONFERENCE, chair.responses, name="responses"),
            web.get(CONFERENCE + "/board", chair.board, name="board"),
            web.get(CONFERENCE + "/item", chair.item, name="item"),
            web.post(CONFERENCE + "/edits", chair.edit, name="edits"),
            web.get(CONFERENCE + "/child", chair.child, name="child"),
            web.get(CONFERENCE + "/picture", chair.picture, name="picture"),
            web.get(CONFERENCE + "/for-the-chair", chair_said.for_chair, name="for_chair"),
            web.get(CONFERENCE + "/scaling", chair.scaling, name="scaling"),
            web.get(CONFERENCE + "/alerts", chair_alerts.alerts, name="alerts"),
            web.post(CONFERENCE + "/alerts/read", chair_alerts.mark_read, name="alert_read"),
            web.get(CONFERENCE + "/decision", chair.decision, name="decision"),
            web.post(CONFERENCE + "/decision", chair.record_decision, name="record_decision"),
            web.get(CONFERENCE + "/record", chair.record_page, name="record"),
            web.post(CONFERENCE + "/approve", chair.approve, name="approve"),
            web.get(CONFERENCE + "/version", chair.version, name="version"),
            web.get(CONFERENCE + "/family", chair_alerts.family, name="family"),
            web.post(CONFERENCE + "/release", chair_alerts.release, name="release"),
            web.get(CONFERENCE + "/export", chair.export, name="export"),
            web.post(CONFERENCE + "/sign-out", chair.sign_out, name="sign_out"),
            web.get("/chat", chat.chat_page, name="chat"),
            web.post("/chat/start", chat.start, name="chat_start"),
            web.post("/chat/say", chat.send, name="chat_say"),
            web.post("/chat/picture", chat.send_picture, name="chat_picture"),
            web.get("/chat/exit", chat.leave, name="chat_exit"),
            web.post("/telegram/webhook", telegram.webhook, name="telegram_webhook"),
        ]
    )
    # GOV.UK Frontend's stylesheet and script, built by `make` (package.json); our script.
    app.router.add_static("/assets", ASSETS, name="assets")
    app.router.add_static("/static", STATIC, name="static")
