"""The chair's chat: the chair has no questions to answer, so their invite opens a short
chat instead: who has answered, the views one part of the board at a time, the scores,
and a sign-in link to the record. Changing and approving the record stay on the web.

What the chair reads here is the chair's copy of the summary, as on the web pages.
"""

from __future__ import annotations

from bot import vocabulary, wording
from bot.dialogue.conversation import Conversation
from bot.dialogue.replies import Reply, button
from bot.links import sign_in_link
from bot.review import signin
from bot.summary.build import build_summary
from bot.summary.outline import names_of, outline

WHO = "Who has answered"
SCORES = "Scores"
LINK = "Sign-in link"
# Typed words that mean a button (compared in lower case, anywhere in the message).
TYPED = {
    WHO: ("who", "answered", "respon"),
    SCORES: ("score", "scaling"),
    LINK: ("link", "sign in", "sign-in", "web", "approve"),
}


def _menu(headings: list[str]) -> list[dict]:
    return [button(WHO), *(button(heading) for heading in headings), button(SCORES), button(LINK)]


def _chosen(text: str | None, headings: list[str]) -> str | None:
    said = (text or "").strip().lower()
    if not said:
        return None
    for heading in headings:
        if said.rstrip("?") == heading.lower().rstrip("?"):
            return heading
    return next((title for title, words in TYPED.items() if any(w in said for w in words)), None)


def _where(response: dict) -> str:
    """'sent'; 'sent. Taken off this conference on 3 December; what they said before is
    kept'; of someone taken off before answering, only that."""
    status, removed = response["status"], response["removed_at"]
    words = vocabulary.RESPONSE_WORDS[status].lower()
    if not removed:
        return words
    taken_off = wording.taken_off(removed, status != "not_started")
    if status == "not_started":
        return taken_off[0].lower() + taken_off[1:]  # "taken off ... on 3 December ..."
    return f"{words}. {taken_off}"


def replies(conversation: Conversation, text: str | None, public_url: str) -> list[Reply]:
    session, conference = conversation.session, conversation.conference
    names = names_of(conference.participants)
    summary = build_summary(session, conference.id)  # once a message: it is the slow part
    view = outline(summary, names)
    headings = [heading for heading, _ in view.board]
    chosen = _chosen(text, headings)
    menu = _menu(headings)
    if chosen == LINK:
        try:
            token = signin.issue_link(session, conference.id, conversation.participant.actor)
        except signin.NoChair:
            return [Reply(conversation.text("chair_no_link"), menu)]
        link = sign_in_link(public_url, token)
        return [Reply(conversation.text("chair_link", link=link), menu)]
    if chosen == WHO:
        lines = [
            f"{names[r['participant']]}, {vocabulary.ROLE_TITLES[r['role']].lower()}: " + _where(r)
            for r in summary["responses"]
        ]
        return [Reply("\n".join(lines) or conversation.text("chair_nothing_yet"), menu)]
    if chosen == SCORES:
        lines = view.scaling or [conversation.text("chair_nothing_yet")]
        return [Reply("\n".join(lines), menu)]
    if chosen in headings:
        columns = dict(view.board)[chosen]
        parts = [
            f"{column}:\n" + "\n".join(f"• {line}" for line in lines)
            for column, lines in columns
            if lines
        ]
        said = "\n\n".join(parts) or conversation.text("chair_nothing_yet")
        return [Reply(f"{chosen}\n\n{said}", menu)]
    return [Reply(conversation.text("chair_menu"), menu)]
