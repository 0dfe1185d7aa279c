"""Rasa 3.6's slow spots, mended in Rasa's own process when it loads our code.

Rasa 3.6 is the last open-source release, so these cannot be fixed upstream. Each fix
keeps Rasa's behaviour and only takes away repeated work; tests/rasa_side/test_fixes.py
holds each to that.

- Every reply from the action server is checked against Rasa's response schema with
  `jsonschema.validate`, which first checks the schema itself against JSON Schema's
  meta-schema: 71% of Rasa's time per turn, profiled at 10 conversations at once. Here the
  schema is checked once; a reply that fails still goes through Rasa's own method, so the
  error and its message are Rasa's.
"""

from __future__ import annotations

from functools import lru_cache

from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

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


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
