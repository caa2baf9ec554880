"""Rasa's command line with the API locked down and two changes that cut the cost of custom actions.

    python -m bot.rasa_server run --enable-api …      (same arguments as `python -m rasa`)

1. Custom-action responses are checked by a JSON-schema validator built once (below).
2. The every-turn slot-validation action is called only when it has something to do (bot/every_turn_gate.py).
3. Responses may quote settings: `{agent_hours}` is the agents' hours (AGENT_HOURS_START/END), so the FAQ
   answer says what the console enforces.
4. GET /health/turn (behind the token) answers only when NLU and the policies answer a turn
   (bot/rasa_health.py); a turn whose action cannot run gets an apology, not silence (bot/action_failure.py).
5. The HTTP API needs RASA_API_TOKEN on every route but the channel webhooks and socket.io, and CORS answers
   only the configured origins (bot/rasa_api_guard.py). The token comes from the environment, never the
   command line, which every user of the machine can read (`ps`). A body over RASA_MAX_REQUEST_BYTES gets a
   polite Chinese 413 instead of Sanic's English one (bot/channels/http_limits.py).

Rasa 3.6 checks every action-server response with `jsonschema.validate(result, schema)`. That call first
checks the (constant) schema itself against the draft 2020-12 meta-schema, then builds a new validator: with
the jsonschema Rasa pins (< 4.18) that costs 20–90 ms per custom action on our machines, several times a
whole NLU parse. A tracking turn runs three or four custom actions, so this was most of its latency. The
response is still validated against exactly the same schema, and an invalid response still raises the same
ValidationError with Rasa's message; only the repeated schema check and validator construction are gone.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import rasa.core.run
import rasa.server
from jsonschema import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import ActionExtractSlots, RemoteAction
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event, SlotSet
from sanic import Sanic

from bot import action_failure
from bot.channels.http_limits import install_too_large_reply
from bot.every_turn_gate import has_every_turn_work
from bot.production_check import DemoSecretsRefused, refuse_demo_secrets
from bot.rasa_api_guard import configure_cors_except_socketio, install_guard
from bot.rasa_health import install_turn_probe
from bot.settings import get_settings


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


_rasa_configure_app = rasa.core.run.configure_app


def guarded(configure_app: Callable[..., Sanic]) -> Callable[..., Sanic]:
    """rasa.core.run.configure_app whose app refuses API calls without RASA_API_TOKEN."""
    def configure_guarded_app(*args: Any, **kwargs: Any) -> Sanic:
        app = configure_app(*args, **kwargs)
        install_guard(app, get_settings().rasa_api_token)
        install_turn_probe(app)
        install_too_large_reply(app)
        return app

    return configure_guarded_app


_rasa_response_variables = TemplatedNaturalLanguageGenerator._response_variables


def _clock(value: str) -> str:
    """ "08:00" → "8:00", as the answers write times."""
    hours, _, minutes = value.partition(":")
    return f"{int(hours)}:{minutes}" if hours.isdigit() else value


def settings_variables() -> dict[str, str]:
    """What responses may quote from the settings."""
    settings = get_settings()
    start, end = _clock(settings.agent_hours_start), _clock(settings.agent_hours_end)
    # The same start and end mean round the clock (bot/console/hours.py).
    return {"agent_hours": "24 小时" if start == end else f"{start}-{end}"}


def response_variables(filled_slots: dict[str, Any] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Rasa fills `{name}` in a response from the slots and the action's arguments; the settings come first."""
    return {**settings_variables(), **_rasa_response_variables(filled_slots, kwargs)}


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    ActionExtractSlots._execute_validation_action = execute_validation_action_if_needed  # type: ignore[method-assign]
    rasa.core.run.configure_app = guarded(_rasa_configure_app)
    rasa.server.configure_cors = configure_cors_except_socketio
    TemplatedNaturalLanguageGenerator._response_variables = staticmethod(response_variables)  # type: ignore[method-assign]
    action_failure.install(get_settings().action_server_timeout_s)


def server_arguments(argv: list[str]) -> list[str]:
    """The `rasa run` arguments with the token and the CORS origins from the settings.

    Rasa's decorated routes check the token too (defence in depth). sys.argv changes only inside this process:
    the command line others can read keeps no token.
    """
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in argv):
        raise SystemExit("Pass Rasa's API token in RASA_API_TOKEN, not as --auth-token: every user of this "
                         "machine can read a command line (ps).")
    settings = get_settings()
    # One argument with "=": a random token may start with "-", which argparse would take for an option.
    extra = [f"--auth-token={settings.rasa_api_token}"] if settings.rasa_api_token else []
    if "--cors" not in argv:
        extra += ["--cors", *settings.cors_origin_list]
    return [*argv, *extra]


def main() -> None:
    from bot.log_masking import install as install_log_masking

    arguments = sys.argv[1:]
    if arguments[:1] == ["run"]:
        try:
            # Rasa holds the API token, the backend key (push routes) and the chat sessions' key: production refuses
            # demo ones.
            refuse_demo_secrets(os.environ, held=("RASA_API_TOKEN", "BACKEND_API_KEY", "CHAT_SESSION_SECRET"))
        except DemoSecretsRefused as refusal:
            raise SystemExit(f"Rasa did not start. {refusal}") from None
        arguments = server_arguments(arguments)
    install_log_masking()
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *arguments]
    rasa_main()


if __name__ == "__main__":
    main()
