"""Rasa 3.6's slow spots, mended in Rasa's own process when it loads our code.

Rasa 3.6 is the last open-source release, so these cannot be fixed upstream. Each fix
keeps Rasa's behaviour and only takes away repeated work; tests/rasa_side/test_fixes.py
holds each to that.

- Every reply from the action server is checked against Rasa's response schema with
  `jsonschema.validate`, which first checks the schema itself against JSON Schema's
  meta-schema: 71% of Rasa's time per turn, profiled at 10 conversations at once. Here the
  schema is checked once; a reply that fails still goes through Rasa's own method, so the
  error and its message are Rasa's.
- A conversation's lock is a queue of tickets that expire. A message waiting behind a
  ticket left by a Rasa server killed in the middle of a turn (`companion serve
  --replicas`: the ticket stays in Redis) waits for it to expire; but when its own ticket
  expires in the same second, Rasa sees nobody served and waits for ever. Tickets are
  issued in order with one lifetime, so once a waiting message's own ticket has expired
  every ticket before it has too: here it goes ahead. (The only change: it was stuck.)
"""

from __future__ import annotations

import asyncio
from functools import lru_cache

from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.lock_store import LockError, LockStore

_rasa_validate = RemoteAction._validate_action_result


@lru_cache(maxsize=1)
def response_validator():
    schema = RemoteAction.action_response_format_spec()
    validator = validator_for(schema)
    validator.check_schema(schema)  # once, not on every reply
    return validator(schema)


def _validate_action_result(self, result) -> bool:
    if response_validator().is_valid(result):
        return True
    return _rasa_validate(self, result)  # raises, with Rasa's message


async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float):
    """Rasa's LockStore._acquire_lock, going ahead once its own ticket has expired."""
    while lock := self.get_lock(conversation_id):
        if not lock.is_locked(ticket) or lock._ticket_for_ticket_number(ticket) is None:
            return lock
        await asyncio.sleep(wait_time_in_seconds)
        self.update_lock(conversation_id)
    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    LockStore._acquire_lock = _acquire_lock
