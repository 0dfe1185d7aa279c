"""The bot's words on the web chat's page: numbers a tap can call, and a scale's two ends."""

from __future__ import annotations

from bot.agenda.loader import load_agenda
from bot.web.chat_words import phone_links, scale_ends


def test_helpline_numbers_become_tel_links_and_the_words_stay_text():
    shown = phone_links(
        "Call 999, Childline on 0800 1111, NSPCC 0808 800 5000, Samaritans 116 123, "
        "out of hours 01234 567890, or text SHOUT to 85258. <b>Ava</b> & co"
    )
    for number in ("999", "08001111", "08088005000", "116123", "01234567890"):
        assert f'href="tel:{number}"' in shown
    assert 'href="sms:85258"' in shown
    assert "&lt;b&gt;Ava&lt;/b&gt; &amp; co" in shown and "<b>" not in shown


def test_scores_dates_and_money_are_not_phone_numbers():
    words = "I gave 7 on 12/03/2026 at 10:30, it cost £999, and she is 10."
    assert "href" not in phone_links(words)


def test_every_scale_in_the_agenda_says_what_0_and_10_mean():
    agenda = load_agenda()
    asked = [question for section in agenda.sections.values() for question in section]
    scales = [question for question in asked if question.kind == "score"]
    assert scales
    for question in scales:
        texts = question.text.values() if isinstance(question.text, dict) else [question.text]
        for text in texts:
            assert scale_ends(text), (question.key, text)
    assert scale_ends("0 is not safe at all. 10 is really safe.") == (
        "Not safe at all",
        "Really safe",
    )
