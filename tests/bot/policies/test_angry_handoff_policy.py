"""AngryHandoffPolicy: the handoff right after an angry message, then the form or listening; silent otherwise."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.angry_handoff import AngryHandoffPolicy

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [track_parcel, inform, file_complaint, request_human]
entities: [mood, tracking_number]
slots:
  handoff_callback_offered:
    type: categorical
    values: [offered, need_phone]
    mappings: [{type: custom}]
  complaint_category:
    type: text
    mappings: [{type: from_text}]
forms:
  complaint_form:
    required_slots: [complaint_category]
actions: [action_handoff_angry, action_request_human]
""")

ANGRY = [{"entity": "mood", "value": "angry", "start": 0, "end": 2, "extractor": "AngerDetector"}]


def said(intent: str, entities: list | None = None, text: str = "…") -> list:
    return [ActionExecuted("action_listen"),
            UserUttered(text, {"name": intent, "confidence": 0.9}, entities or [])]


@pytest.fixture(scope="module")
def policy(tmp_path_factory) -> AngryHandoffPolicy:
    storage = LocalModelStorage.create(tmp_path_factory.mktemp("policy"))
    return AngryHandoffPolicy.create(AngryHandoffPolicy.get_default_config(), storage, Resource("angry"),
                                     ExecutionContext(GraphSchema({}), "test"))


def predicted(policy: AngryHandoffPolicy, events: list) -> str | None:
    tracker = DialogueStateTracker.from_events("c", events, slots=DOMAIN.slots)
    prediction = policy.predict_action_probabilities(tracker, DOMAIN)
    if max(prediction.probabilities) == 0:
        return None
    assert prediction.is_no_user_prediction and prediction.policy_priority > 6  # outranks RulePolicy's form loop
    return DOMAIN.action_names_or_texts[prediction.max_confidence_index]


IN_FORM = [*said("file_complaint"), ActionExecuted("complaint_form"), ActiveLoop("complaint_form"),
           SlotSet("requested_slot", "complaint_category")]


def test_an_angry_message_is_handed_off_then_the_assistant_listens(policy) -> None:
    events = said("track_parcel", ANGRY)
    assert predicted(policy, events) == "action_handoff_angry"
    events.append(ActionExecuted("action_handoff_angry"))
    assert predicted(policy, events) == "action_listen"
    events.append(ActionExecuted("action_listen"))
    assert predicted(policy, events) is None


def test_a_calm_message_is_left_to_the_other_policies(policy) -> None:
    assert predicted(policy, said("track_parcel", [{"entity": "tracking_number", "value": "ZT1"}])) is None
    assert predicted(policy, said("request_human")) is None


def test_in_a_form_the_form_goes_on_after_the_handoff(policy) -> None:
    events = [*IN_FORM, *said("inform", ANGRY)]
    assert predicted(policy, events) == "action_handoff_angry"
    events.append(ActionExecuted("action_handoff_angry"))
    assert predicted(policy, events) == "complaint_form"
    events.append(ActionExecuted("complaint_form"))
    assert predicted(policy, events) is None  # RulePolicy's loop rule listens after the form


def test_a_callback_offer_in_a_form_leaves_the_form_first(policy) -> None:
    events = [*IN_FORM, *said("inform", ANGRY), ActionExecuted("action_handoff_angry"),
              SlotSet("handoff_callback_offered", "offered")]
    assert predicted(policy, events) == "action_deactivate_loop"
    events += [ActionExecuted("action_deactivate_loop"), ActiveLoop(None)]
    assert predicted(policy, events) == "action_listen"


def test_the_next_calm_message_after_a_handoff_is_not_angry(policy) -> None:
    events = [*said("track_parcel", ANGRY), ActionExecuted("action_handoff_angry"), *said("inform")]
    assert predicted(policy, events) is None
