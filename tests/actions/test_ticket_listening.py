"""Complaint and claim forms listen: what the first message says is not asked again, and a phone is never
taken for a tracking number, a tracking number never for a phone, neither for a description."""

from __future__ import annotations

from actions.claims import ValidateClaimForm
from actions.complaints import ValidateComplaintForm
from actions.tickets import without_contact_phone
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


def test_a_claim_told_in_one_message_with_photos_later_goes_straight_to_the_summary() -> None:
    text = "申请理赔，ZT100000000002 箱子摔坏了，没保价，里面的花瓶值500元，电话13812345678，照片稍后补发"
    _, slots = claim(text, None, intent="file_claim")
    assert slots["claim_evidence"] == "done" and slots["requested_slot"] == "claim_confirmed"
    assert "13812345678" not in slots["claim_description"] and "花瓶值500元" in slots["claim_description"]


def test_the_contact_phone_is_not_kept_in_the_account_but_another_number_is() -> None:
    text = "我要投诉，ZT100000000001 快递员把箱子摔坏了，里面的杯子碎了，值200块，我电话13912345678"
    _, slots = complaint(text, None, intent="file_complaint")
    assert slots["complaint_phone"] == "13912345678"
    assert slots["complaint_description"] == "ZT100000000001 快递员把箱子摔坏了，里面的杯子碎了，值200块"
    assert without_contact_phone("箱子壞了，電話：13912345678，照片稍後補發", "13912345678") == "箱子壞了，照片稍後補發"
    assert without_contact_phone("快递员13700001111一直不接", "13912345678") == "快递员13700001111一直不接"


def test_an_account_given_to_another_question_is_the_description_too() -> None:
    shown, slots = complaint("ZT100000000001 还没到，已经延误一周了", "complaint_category")
    assert slots["complaint_category"] == "delay" and slots["complaint_tracking_number"] == "ZT100000000001"
    assert slots["complaint_description"] == "ZT100000000001 还没到，已经延误一周了" and shown == ""
    shown, slots = claim("整箱丢了，里面的东西值300块", "claim_tracking_number")
    assert (slots["claim_type"], slots["claim_amount"]) == ("loss", 30000) and "claim_tracking_number" not in slots
    assert slots["claim_description"] == "整箱丢了，里面的东西值300块" and "单号格式" not in shown
    _, slots = complaint("派送", "complaint_category")
    assert slots == {"complaint_category": "delivery"}  # a bare category is no account
