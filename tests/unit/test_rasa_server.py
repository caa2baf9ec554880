"""The Rasa entry point's action-response check: same schema and errors as Rasa's, validator built once."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_server

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "tracking_number", "value": "ZT100000000001"}],
     "responses": [{"text": "您好", "buttons": [{"title": "投诉", "payload": "/file_complaint"}]}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "utter_greet"}]},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},
    {"responses": ["plain text, not an object"]},
    {"events": [{"event": "no_such_event"}]},
]


@pytest.mark.parametrize("result", VALID)
def test_valid_responses_pass_as_with_rasa(result):
    jsonschema.validate(result, RemoteAction.action_response_format_spec())
    assert rasa_server.validate_action_result(RemoteAction("x", None), result)


@pytest.mark.parametrize("result", INVALID)
def test_invalid_responses_fail_as_with_rasa(result):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        rasa_server.validate_action_result(RemoteAction("x", None), result)


def test_the_validator_is_built_once():
    assert rasa_server.action_response_validator() is rasa_server.action_response_validator()


def test_install_replaces_rasas_check(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    rasa_server.install()
    assert RemoteAction._validate_action_result is rasa_server.validate_action_result


def test_the_stack_starts_rasa_through_this_entry_point(tmp_path):
    from bot.stack import Ports, Stack

    stack = Stack(ports=Ports(backend=1, rasa=2, actions=3), var_dir=tmp_path)
    rasa = next(s for s in stack._plan(tmp_path / "model.tar.gz") if s.name == "rasa")
    assert rasa.command[1:4] == ["-m", "bot.rasa_server", "run"]
