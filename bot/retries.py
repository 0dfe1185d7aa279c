"""A message sent again after a failed request, and what a person is told when nothing can
be saved. Standard library only: Rasa's side (our REST channel) and ours both read it.

A message may carry an id (the web chat's form, Telegram's update id, the REST body's
`message_id`): the action server keeps the replies it gave for each id, in the same
transaction as the answer, so the same id from the same sender again gets the same replies
and changes nothing (bot/model/handled_messages.py).
"""

from __future__ import annotations

CANT_SAVE = "I can't save that right now, please try again in a minute"
MESSAGE_ID_MAX = 128  # characters: a UUID, an update id, a client's own key


def message_id(value) -> str | None:
    """A message id as given (a string or a whole number), or None; ValueError for
    anything else (a list, a float, an empty or overlong string)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("message_id must be a string or a whole number")
    text = str(value)
    if not text or len(text) > MESSAGE_ID_MAX or not text.isprintable():
        raise ValueError(f"message_id must be 1 to {MESSAGE_ID_MAX} printable characters")
    return text
