"""Complaint and claim forms listen: what the first message says is not asked again, and a phone is never
taken for a tracking number, a tracking number never for a phone, neither for a description."""

from __future__ import annotations

from actions.claims import ValidateClaimForm
from actions.complaints import ValidateComplaintForm
from tests.actions.action_helpers import make_tracker, run, slot_events, texts, user


def claim(text: str, requested: str | None, slots: dict | None = None, intent: str = "inform"):
    tracker = make_tracker(slots={"requested_slot": requested, **(slots or {})}, latest=user(text, intent),
                           active_loop="claim_form" if requested else None)
    messages, events = run(ValidateClaimForm(), tracker)
    return texts(messages), slot_events(events)


def complaint(text: str, requested: str | None, slots: dict | None = None, intent: str = "inform"):
    tracker = make_tracker(slots={"requested_slot": requested, **(slots or {})}, latest=user(text, intent),
                           active_loop="complaint_form" if requested else None)
    messages, events = run(ValidateComplaintForm(), tracker)
    return texts(messages), slot_events(events)


def test_a_claim_told_in_one_message_asks_only_for_the_photos() -> None:
    text = "申请理赔，ZT100000000002 箱子摔坏了，没保价，里面的花瓶值500元，电话13812345678"
    _, slots = claim(text, None, intent="file_claim")
    assert slots["claim_tracking_number"] == "ZT100000000002" and slots["claim_type"] == "damage"
    assert slots["claim_insured"] is False and slots["claim_amount"] == 50000
    assert slots["claim_phone"] == "13812345678" and "花瓶" in slots["claim_description"]


def test_an_insured_claim_keeps_the_declared_value_apart_from_the_amount() -> None:
    _, slots = claim("我要理赔 ZT100000000002 保价2000元 东西丢了 要求赔三千五", None, intent="file_claim")
    assert slots["claim_insured"] is True and slots["claim_declared_value"] == 200000
    assert slots["claim_amount"] == 350000 and slots["claim_type"] == "loss"


def test_details_told_before_they_are_asked_fill_their_slots() -> None:
    _, slots = claim("箱子压坏了，没保价", "claim_tracking_number")
    assert slots["claim_type"] == "damage" and slots["claim_insured"] is False
    assert slots.get("claim_tracking_number") is None


def test_a_declared_value_answer_is_not_also_the_amount() -> None:
    _, slots = claim("值2000", "claim_declared_value", {"claim_insured": True})
    assert slots["claim_declared_value"] == 200000 and "claim_amount" not in slots


def test_a_phone_given_for_the_tracking_number_fills_the_phone() -> None:
    shown, slots = complaint("13812345678", "complaint_tracking_number", {"complaint_category": "delay",
                                                                          "complaint_description": "三天没动了"})
    assert slots["complaint_phone"] == "13812345678" and slots.get("complaint_tracking_number") is None
    assert "单号格式" not in shown


def test_a_tracking_number_given_for_the_phone_fills_the_tracking_number() -> None:
    shown, slots = claim("ZT100000000002", "claim_phone", {"claim_tracking_number": None})
    assert slots["claim_tracking_number"] == "ZT100000000002" and slots.get("claim_phone") is None
    assert "手机号" not in shown


def test_a_bare_phone_is_no_description() -> None:
    _, slots = complaint("13812345678", "complaint_description", {"complaint_category": "delay"})
    assert slots.get("complaint_description") is None and slots["complaint_phone"] == "13812345678"
    _, slots = claim("电话 13812345678", "claim_description", {"claim_type": "damage"})
    assert slots.get("claim_description") is None and slots["claim_phone"] == "13812345678"
