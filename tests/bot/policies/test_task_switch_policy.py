"""TaskSwitchPolicy: right after the open form let go of a request for another task, leave the form."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.task_switch import TaskSwitchPolicy

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [complaint_status, request_quote, inform, faq, track_parcel, file_complaint]
entities: [mood]
slots:
  complaint_lookup:
    type: text
    mappings: [{type: custom}]
  complaint_description:
    type: text
    mappings: [{type: custom}]
forms:
  complaint_status_form:
    required_slots: [complaint_lookup]
  complaint_form:
    required_slots: [complaint_description]
actions: [action_switch_task, action_handoff_angry]
""")


def said(intent: str, confidence: float = 0.9, entities: list | None = None) -> list:
    return [ActionExecuted("action_listen"),
            UserUttered("…", {"name": intent, "confidence": confidence}, entities or [])]


@pytest.fixture(scope="module")
def policy(tmp_path_factory) -> TaskSwitchPolicy:
    storage = LocalModelStorage.create(tmp_path_factory.mktemp("policy"))
    return TaskSwitchPolicy.create(TaskSwitchPolicy.get_default_config(), storage, Resource("switch"),
                                   ExecutionContext(GraphSchema({}), "test"))


def predicted(policy: TaskSwitchPolicy, events: list) -> str | None:
    tracker = DialogueStateTracker.from_events("c", events, slots=DOMAIN.slots)
    prediction = policy.predict_action_probabilities(tracker, DOMAIN)
    if max(prediction.probabilities) == 0:
        return None
    assert prediction.is_no_user_prediction and prediction.policy_priority > 6  # outranks RulePolicy
    return DOMAIN.action_names_or_texts[prediction.max_confidence_index]


def in_form(form: str = "complaint_status_form", slot: str = "complaint_lookup") -> list:
    return [*said("complaint_status"), ActionExecuted(form), ActiveLoop(form), SlotSet("requested_slot", slot)]


def test_a_request_the_form_let_go_of_leaves_the_form(policy) -> None:
    events = [*in_form(), *said("request_quote")]
    assert predicted(policy, events) is None  # the form reads the message first
    events.append(ActionExecutionRejected("complaint_status_form"))
    assert predicted(policy, events) == "action_switch_task"
    events.append(ActionExecuted("action_switch_task"))
    assert predicted(policy, events) is None


@pytest.mark.parametrize("message", [
    said("faq"),  # the FAQ rules answer and the form goes on
    said("complaint_status"),  # the open form's own request
    said("request_quote", confidence=0.35),
    said("request_quote", entities=[{"entity": "mood", "value": "angry"}]),  # a person first
])
def test_other_rejected_messages_are_left_to_the_rules(policy, message) -> None:
    assert predicted(policy, [*in_form(), *message, ActionExecutionRejected("complaint_status_form")]) is None


def test_a_complaint_being_told_is_never_left(policy) -> None:
    events = [*in_form("complaint_form", "complaint_description"), *said("track_parcel"),
              ActionExecutionRejected("complaint_form")]
    assert predicted(policy, events) is None


def test_an_answer_the_form_took_is_no_switch(policy) -> None:
    events = [*in_form(), *said("request_quote"), ActionExecuted("complaint_status_form")]
    assert predicted(policy, events) is None
