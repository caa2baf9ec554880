"""The Rasa entry point's action-response check: same schema and errors as Rasa's, validator built once."""

from pathlib import Path

import jsonschema
import pytest
import yaml
from rasa.core.actions.action import RemoteAction
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

from bot import rasa_server
from bot.settings import get_settings

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
    monkeypatch.setattr(TemplatedNaturalLanguageGenerator, "_response_variables",
                        TemplatedNaturalLanguageGenerator.__dict__["_response_variables"])
    rasa_server.install()
    assert RemoteAction._validate_action_result is rasa_server.validate_action_result


def test_the_faq_answer_quotes_the_agents_hours_from_the_settings(monkeypatch):
    """The service-hours answer said 8:00-22:00 in its text while the hours are a setting (issue 18)."""
    responses = yaml.safe_load(Path("data/nlu/faq.yml").read_text(encoding="utf-8"))["responses"]
    template = responses["utter_faq/service_hours"][0]["text"]
    assert "人工客服每天 {agent_hours} 在线" in template and "22:00" not in template
    monkeypatch.setattr(TemplatedNaturalLanguageGenerator, "_response_variables",
                        TemplatedNaturalLanguageGenerator.__dict__["_response_variables"])
    rasa_server.install()
    nlg = TemplatedNaturalLanguageGenerator({"utter_faq/service_hours": [{"text": template}]})
    for start, end, shown in (("08:00", "22:00", "8:00-22:00"), ("09:30", "18:00", "9:30-18:00"),
                              ("00:00", "00:00", "24 小时")):
        monkeypatch.setenv("AGENT_HOURS_START", start)
        monkeypatch.setenv("AGENT_HOURS_END", end)
        get_settings.cache_clear()
        text = nlg.generate_from_slots("utter_faq/service_hours", {"tracking_number": None}, "rest")["text"]
        assert f"人工客服每天 {shown} 在线" in text, text
    get_settings.cache_clear()


def test_the_stack_starts_rasa_through_this_entry_point(tmp_path):
    from bot.stack import Ports, Stack

    stack = Stack(ports=Ports(backend=1, rasa=2, actions=3), var_dir=tmp_path)
    rasa = next(s for s in stack._plan(tmp_path / "model.tar.gz") if s.name == "rasa")
    assert rasa.command[1:4] == ["-m", "bot.rasa_server", "run"]
