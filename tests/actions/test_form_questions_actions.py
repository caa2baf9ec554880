"""Inside every form: an off-topic message is left to its rule, a mismatched answer gets ONE hint (the form's
question is not asked again on top of it), and optional questions can be skipped.

The validation actions and the ask actions run exactly as the action server runs them; the ask action sees
the hint the way Rasa hands it over (a bot event with its metadata, after the customer's message).
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Action

from actions.claims import (
    ActionAskClaimConfirmed,
    ActionAskClaimEvidence,
    ValidateClaimForm,
    ValidateClaimStatusForm,
)
from actions.complaints import (
    NO_TRACKING,
    ActionAskComplaintConfirmed,
    ValidateComplaintForm,
    ValidateComplaintStatusForm,
)
from actions.form_questions import ASK_ACTIONS, ASKS_FOR
from actions.pickups import ValidatePickupForm
from actions.quotes import NO_DIMENSIONS, ValidateQuoteForm
from actions.satisfaction import ValidateRatingForm
from actions.tracking import ValidateTrackingForm
from tests.actions.action_helpers import DOMAIN, make_tracker, run, slot_events, texts, user

FORMS: dict[str, Action] = {
    "tracking_form": ValidateTrackingForm(),
    "quote_form": ValidateQuoteForm(),
    "pickup_form": ValidatePickupForm(),
    "complaint_form": ValidateComplaintForm(),
    "claim_form": ValidateClaimForm(),
    "complaint_status_form": ValidateComplaintStatusForm(),
    "claim_status_form": ValidateClaimStatusForm(),
}
QUOTE_SO_FAR = {"origin": "杭州", "destination": "北京", "weight": "5"}
PICKUP_SO_FAR = {"sender_name": "张先生", "sender_phone": "13812345678",
                 "pickup_address": "杭州市西湖区文三路100号", "destination": "北京", "item": "衣服",
                 "time_window": "明天上午"}
COMPLAINT_SO_FAR = {"complaint_category": "delay", "complaint_description": "三天了还没到",
                    "complaint_tracking_number": "ZT100000000001", "complaint_phone": "13912345678"}
CLAIM_SO_FAR = {"claim_tracking_number": "ZT100000000001", "claim_type": "damage", "claim_insured": False,
                "claim_amount": 30000, "claim_description": "杯子碎了", "claim_phone": "13912345678"}


def validate(form: str, requested: str, text: str, intent: str = "inform",
             slots: dict[str, Any] | None = None,
             confidence: float = 1.0) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    latest = user(text, intent)
    latest["parse_data"]["intent"]["confidence"] = confidence
    tracker = make_tracker(slots={"requested_slot": requested, **(slots or {})}, latest=latest, active_loop=form)
    return run(FORMS[form], tracker)


def ask(slot: str, action: Action | None = None, hint_for: str | None = None) -> str:
    """What the form's ask for `slot` shows after the customer's message (and a hint, if one was given)."""
    events: list[dict[str, Any]] = [user("标准")]
    if hint_for:
        events.append({"event": "bot", "text": "尺寸请按……", "metadata": {ASKS_FOR: hint_for}})
    tracker = make_tracker(slots={"requested_slot": slot, **QUOTE_SO_FAR}, events=events,
                           active_loop="quote_form")
    messages, _ = run(action or ASK_ACTIONS[slot](), tracker)
    return texts(messages)


OFF_TOPIC_CASES = [
    ("tracking_form", "tracking_number", {}),
    ("quote_form", "origin", {}),
    ("quote_form", "weight", {"origin": "杭州", "destination": "北京"}),
    ("quote_form", "dimensions", QUOTE_SO_FAR),
    ("quote_form", "service_level", {**QUOTE_SO_FAR, "dimensions": NO_DIMENSIONS}),
    ("pickup_form", "sender_name", {}),
    ("pickup_form", "sender_phone", {"sender_name": "张先生"}),
    ("pickup_form", "pickup_address", {"sender_name": "张先生", "sender_phone": "13812345678"}),
    ("pickup_form", "destination", {k: PICKUP_SO_FAR[k] for k in ("sender_name", "sender_phone",
                                                                   "pickup_address")}),
    ("pickup_form", "time_window", {k: v for k, v in PICKUP_SO_FAR.items() if k != "time_window"}),
    ("pickup_form", "pickup_confirmed", PICKUP_SO_FAR),
    ("complaint_form", "complaint_category", {}),
    ("complaint_form", "complaint_description", {"complaint_category": "delay"}),
    ("complaint_form", "complaint_tracking_number", {"complaint_category": "delay",
                                                     "complaint_description": "三天了还没到"}),
    ("complaint_form", "complaint_phone", {k: v for k, v in COMPLAINT_SO_FAR.items() if k != "complaint_phone"}),
    ("complaint_form", "complaint_confirmed", COMPLAINT_SO_FAR),
    ("claim_form", "claim_tracking_number", {}),
    ("claim_form", "claim_type", {"claim_tracking_number": "ZT100000000001"}),
    ("claim_form", "claim_insured", {"claim_tracking_number": "ZT100000000001", "claim_type": "damage"}),
    ("claim_form", "claim_amount", {"claim_tracking_number": "ZT100000000001", "claim_type": "damage",
                                    "claim_insured": False}),
    ("claim_form", "claim_description", {k: v for k, v in CLAIM_SO_FAR.items()
                                         if k not in ("claim_description", "claim_phone")}),
    ("claim_form", "claim_phone", {k: v for k, v in CLAIM_SO_FAR.items() if k != "claim_phone"}),
    ("claim_form", "claim_evidence", CLAIM_SO_FAR),
    ("claim_form", "claim_confirmed", {**CLAIM_SO_FAR, "claim_evidence": "done"}),
]


@pytest.mark.parametrize(("form", "requested", "slots"), OFF_TOPIC_CASES,
                         ids=[f"{form}-{slot}" for form, slot, _ in OFF_TOPIC_CASES])
@pytest.mark.parametrize(("text", "intent"), [("今天天气怎么样", "out_of_scope"),
                                              ("今天天氣怎麼樣", "out_of_scope"),
                                              ("你们老板是谁啊？", "nlu_fallback"),
                                              ("你说啥", "out_of_scope"),
                                              ("你是机器人吗", "bot_challenge")])
def test_an_off_topic_message_is_left_to_the_off_topic_rule(form: str, requested: str, slots: dict,
                                                            text: str, intent: str) -> None:
    # No slot and no message: Rasa then rejects the form for this turn, the rule answers the message
    # (utter_out_of_scope) and the form asks its question once.
    messages, events = validate(form, requested, text, intent, slots)
    filled = {k: v for k, v in slot_events(events).items() if k != "requested_slot"}
    assert filled == {} and messages == [], (texts(messages), events)


def test_a_size_that_is_no_size_gets_one_hint_with_an_example_and_the_question_stays_silent() -> None:
    for text, intent, confidence in (("标准", "inform", 0.8), ("顺丰", "nlu_fallback", 0.3),
                                     ("顺丰", "out_of_scope", 0.35), ("挺大的", "inform", 0.9)):
        messages, events = validate("quote_form", "dimensions", text, intent, QUOTE_SO_FAR, confidence)
        assert slot_events(events)["dimensions"] is None, text
        assert len(messages) == 1 and messages[0][ASKS_FOR] == "dimensions", messages
        assert "长x宽x高" in texts(messages) and "30x20x10" in texts(messages) and "不用" in texts(messages)
    assert ask("dimensions", hint_for="dimensions") == ""
    assert ask("dimensions") == "utter_ask_dimensions"
    # a hint for another question does not silence this one
    assert ask("service_level", hint_for="dimensions") == "utter_ask_service_level"


def test_a_word_for_a_weight_gets_one_hint() -> None:
    messages, events = validate("quote_form", "weight", "挺重的", slots={"origin": "杭州", "destination": "北京"})
    assert slot_events(events)["weight"] is None
    assert len(messages) == 1 and messages[0][ASKS_FOR] == "weight" and "3公斤" in texts(messages)


def test_a_hint_that_replaces_a_question_keeps_its_buttons() -> None:
    messages, _ = validate("quote_form", "service_level", "嗯", slots={**QUOTE_SO_FAR, "dimensions": NO_DIMENSIONS})
    assert len(messages) == 1 and [b["title"] for b in messages[0]["buttons"]] == ["标准", "特快"]
    messages, _ = validate("complaint_form", "complaint_category", "嗯嗯")
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert len(messages) == 1 and "延误" in titles and "其他" in titles


MISMATCHES = [
    ("tracking_form", "tracking_number", "ZT12345", {}),
    ("quote_form", "origin", "顺丰", {}),
    ("quote_form", "destination", "火星", {"origin": "杭州"}),
    ("pickup_form", "sender_phone", "我不想说", {"sender_name": "张先生"}),
    ("pickup_form", "pickup_address", "我家", {"sender_name": "张先生", "sender_phone": "13812345678"}),
    ("pickup_form", "destination", "顺丰", {k: PICKUP_SO_FAR[k] for k in ("sender_name", "sender_phone",
                                                                         "pickup_address")}),
    ("pickup_form", "time_window", "随你们", {k: v for k, v in PICKUP_SO_FAR.items() if k != "time_window"}),
    ("complaint_form", "complaint_tracking_number", "好像是123",
     {"complaint_category": "delay", "complaint_description": "三天了还没到"}),
    ("complaint_form", "complaint_phone", "139", {k: v for k, v in COMPLAINT_SO_FAR.items()
                                                  if k != "complaint_phone"}),
    ("claim_form", "claim_tracking_number", "不记得了", {}),
    ("claim_form", "claim_type", "嗯", {"claim_tracking_number": "ZT100000000001"}),
    ("claim_form", "claim_insured", "啥意思", {"claim_tracking_number": "ZT100000000001", "claim_type": "damage"}),
    ("claim_form", "claim_amount", "很贵", {"claim_tracking_number": "ZT100000000001", "claim_type": "damage",
                                          "claim_insured": False}),
    ("claim_form", "claim_phone", "等下", {k: v for k, v in CLAIM_SO_FAR.items() if k != "claim_phone"}),
    ("claim_form", "claim_evidence", "嗯", CLAIM_SO_FAR),
    ("complaint_status_form", "complaint_lookup", "上周那个", {}),
    ("claim_status_form", "claim_lookup", "上周那个", {}),
]


@pytest.mark.parametrize(("form", "requested", "text", "slots"), MISMATCHES,
                         ids=[f"{form}-{slot}" for form, slot, _, _ in MISMATCHES])
def test_every_mismatched_answer_gets_exactly_one_message_that_is_the_question(
        form: str, requested: str, text: str, slots: dict) -> None:
    messages, events = validate(form, requested, text, slots=slots)
    assert slot_events(events).get(requested) is None
    assert len(messages) == 1, texts(messages)
    assert messages[0][ASKS_FOR] == requested
    assert "如" in texts(messages) or "回复" in texts(messages), texts(messages)  # an example or the words to say


def test_words_instead_of_a_tracking_number_get_the_question_once_which_has_an_example() -> None:
    messages, events = validate("tracking_form", "tracking_number", "我找找看")
    assert slot_events(events)["tracking_number"] is None and messages == []
    assert ask("tracking_number") == "utter_ask_tracking_number"
    assert "比如 ZT" in DOMAIN["responses"]["utter_ask_tracking_number"][0]["text"]


def test_a_rating_that_is_no_rating_gets_one_message() -> None:
    tracker = make_tracker(slots={"requested_slot": "rating_score"}, latest=user("这个嘛"), active_loop="rating_form")
    messages, events = run(ValidateRatingForm(), tracker)
    assert slot_events(events)["rating_score"] is None and len(messages) == 1
    assert messages[0][ASKS_FOR] == "rating_score" and "1 到 5" in texts(messages)
    assert [b["title"] for b in messages[0]["buttons"]][0] == "5 非常满意"


def test_the_custom_asks_stay_silent_after_a_hint() -> None:
    for action, slot in ((ActionAskComplaintConfirmed(), "complaint_confirmed"),
                         (ActionAskClaimConfirmed(), "claim_confirmed"),
                         (ActionAskClaimEvidence(), "claim_evidence")):
        assert ask(slot, action, hint_for=slot) == "", slot
        assert ask(slot, action) != "", slot


def test_a_confirmation_not_understood_gets_one_message() -> None:
    messages, events = validate("complaint_form", "complaint_confirmed", "你说啥", slots=COMPLAINT_SO_FAR)
    assert slot_events(events)["complaint_confirmed"] is None and len(messages) == 1
    assert messages[0][ASKS_FOR] == "complaint_confirmed" and "确认" in texts(messages)
    messages, events = validate("claim_form", "claim_confirmed", "不对", intent="deny",
                                slots={**CLAIM_SO_FAR, "claim_evidence": "done"})
    assert slot_events(events)["claim_confirmed"] is None and len(messages) == 1
    assert messages[0][ASKS_FOR] == "claim_confirmed" and "改" in texts(messages)


def test_optional_questions_can_be_skipped() -> None:
    for text, intent in (("不用", "deny"), ("跳过", "inform"), ("不知道", "inform"), ("没量过", "out_of_scope"),
                         ("不用了", "cancel"), ("不需要了", "cancel")):
        messages, events = validate("quote_form", "dimensions", text, intent, QUOTE_SO_FAR)
        assert slot_events(events)["dimensions"] == NO_DIMENSIONS and messages == [], text
    for text, intent in (("没有", "deny"), ("不用", "deny"), ("跳过", "inform"), ("不记得了", "nlu_fallback")):
        messages, events = validate("complaint_form", "complaint_tracking_number", text, intent,
                                    {"complaint_category": "delay", "complaint_description": "三天了还没到"})
        assert slot_events(events)["complaint_tracking_number"] == NO_TRACKING and messages == [], text
    for text in ("没有照片", "跳过", "不用了吧"):
        _, events = validate("claim_form", "claim_evidence", text, slots=CLAIM_SO_FAR)
        assert slot_events(events)["claim_evidence"] == "done", text


def test_giving_up_still_cancels_at_an_optional_question() -> None:
    for text in ("算了", "算了不用了", "取消吧"):
        messages, events = validate("quote_form", "dimensions", text, "cancel", QUOTE_SO_FAR)
        slots = slot_events(events)
        assert slots.pop("requested_slot", "dimensions") == "dimensions", text  # the question stands
        assert slots == {} and messages == [], text  # left to the cancel rule


def test_no_preference_for_the_service_level_is_the_standard_one() -> None:
    for text in ("随便", "都行", "不知道哪个好"):
        _, events = validate("quote_form", "service_level", text, slots={**QUOTE_SO_FAR, "dimensions": NO_DIMENSIONS})
        assert slot_events(events)["service_level"] == "standard", text


def test_free_text_answers_that_look_odd_to_the_classifier_are_still_taken() -> None:
    _, events = validate("pickup_form", "sender_name", "老王", "nlu_fallback")
    assert slot_events(events)["sender_name"] == "老王"
    _, events = validate("pickup_form", "pickup_address", "杭州市西湖区文三路100号", "out_of_scope",
                         {"sender_name": "张先生", "sender_phone": "13812345678"})
    assert slot_events(events)["pickup_address"] == "杭州市西湖区文三路100号"
    _, events = validate("complaint_form", "complaint_description", "快递员把东西扔门口就走了", "out_of_scope",
                         {"complaint_category": "attitude"})
    assert slot_events(events)["complaint_description"] == "快递员把东西扔门口就走了"
    _, events = validate("pickup_form", "time_window", "明天下午", "nlu_fallback",
                         {k: v for k, v in PICKUP_SO_FAR.items() if k != "time_window"})
    assert slot_events(events)["time_window"] == "明天下午"


def test_every_form_question_has_an_ask_action_in_the_domain() -> None:
    actions = set(DOMAIN["actions"])
    for slot in ASK_ACTIONS:
        assert f"action_ask_{slot}" in actions and f"utter_ask_{slot}" in DOMAIN["responses"], slot
    required = {slot for form in DOMAIN["forms"].values() for slot in form["required_slots"]}
    custom = {"pickup_confirmed", "complaint_confirmed", "claim_evidence", "claim_confirmed"}
    assert required - custom <= set(ASK_ACTIONS)
