"""The doors left after test_open_doors: a message too long for Rasa sent to its REST
webhook directly, a body over the web app's limit, a body that never finishes, and crafted
input on every route, each refused plainly and never a 500."""

from __future__ import annotations

import requests
from sqlalchemy import create_engine, text

from bot.typed import TOO_LONG


def test_a_message_too_long_sent_to_rasa_directly_is_refused_kindly_unread(stack):
    url = f"{stack.settings.rasa_url}/webhooks/rest/webhook"
    limit = stack.settings.message_max_chars
    for message in ("/start " + "x" * limit, "my dad hits me " * 400):
        refused = requests.post(url, json={"sender": "doors:long", "message": message}, timeout=60)
        assert refused.status_code == 413
        assert refused.json() == [{"recipient_id": "doors:long", "text": TOO_LONG}]
    assert _events(stack, "doors:long") == 0  # nothing was read: not even a conversation
    answered = requests.post(url, json={"sender": "doors:long", "message": "x" * limit}, timeout=60)
    assert answered.status_code == 200 and TOO_LONG not in answered.text
    assert _events(stack, "doors:long") > 0


def _events(stack, sender: str) -> int:
    """Rasa's events for this sender, in its tracker store."""
    engine = create_engine(stack.settings.tracker_store_url)
    with engine.connect() as connection:
        count = connection.execute(
            text("SELECT count(*) FROM encrypted_events WHERE sender_id = :sender"), {"sender": sender}
        ).scalar()
    engine.dispose()
    return count
