"""Rasa's command line with two changes that cut the cost of custom actions, same behaviour otherwise.

    python -m bot.rasa_server run --enable-api …      (same arguments as `python -m rasa`)

1. Custom-action responses are checked by a JSON-schema validator built once (below).
2. The every-turn slot-validation action is called only when it has something to do (bot/every_turn_gate.py).

Rasa 3.6 checks every action-server response with `jsonschema.validate(result, schema)`. That call first
checks the (constant) schema itself against the draft 2020-12 meta-schema, then builds a new validator: with
the jsonschema Rasa pins (< 4.18) that costs 20–90 ms per custom action on our machines, several times a
whole NLU parse. A tracking turn runs three or four custom actions, so this was most of its latency. The
response is still validated against exactly the same schema, and an invalid response still raises the same
ValidationError with Rasa's message; only the repeated schema check and validator construction are gone.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import ActionExtractSlots, RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event, SlotSet

from bot.every_turn_gate import has_every_turn_work


@lru_cache(maxsize=1)
def action_response_validator() -> Validator:
    """The validator `jsonschema.validate` would build for Rasa's action response schema, built once."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Drop-in for RemoteAction._validate_action_result (same schema, same error)."""
    try:
        action_response_validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


_rasa_execute_validation_action = ActionExtractSlots._execute_validation_action


async def execute_validation_action_if_needed(
    self: ActionExtractSlots, extraction_events: list[Event], output_channel: Any, nlg: Any, tracker: Any,
    domain: Any,
) -> list[Event]:
    """Drop-in for ActionExtractSlots._execute_validation_action that skips a call with nothing to do.

    Returns what Rasa returns when no validation action exists: the extracted slot events, unchanged.
    """
    slot_events = [event for event in extraction_events if isinstance(event, SlotSet)]
    metadata = (tracker.latest_message.metadata if tracker.latest_message else None) or {}
    if not has_every_turn_work([event.key for event in slot_events], tracker.current_slot_values(), metadata):
        return list(slot_events)
    return await _rasa_execute_validation_action(self, extraction_events, output_channel, nlg, tracker, domain)


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    ActionExtractSlots._execute_validation_action = execute_validation_action_if_needed  # type: ignore[method-assign]


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
