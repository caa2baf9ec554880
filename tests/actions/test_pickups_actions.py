"""Pickup form answers, the confirm/correct step, and booking against the real backend."""

from __future__ import annotations

from actions.pickups import ActionAskPickupConfirmed, ActionBookPickup, ValidatePickupForm
from bot.clients.backend import BackendClient
from tests.actions.action_helpers import entity, make_tracker, run, slot_events, texts, user

FILLED = {
    "sender_name": "王小明", "sender_phone": "13912345678", "pickup_address": "杭州市西湖区文三路100号",
    "destination": "北京", "item": "衣服", "time_window": "明天上午",
}


def answer(text: str, requested: str, slots: dict | None = None, intent: str = "inform",
           entities: list | None = None, after: dict | None = None):
    tracker = make_tracker(slots={"requested_slot": requested, **(slots or {})},
                           latest=user(text, intent, entities), active_loop="pickup_form", after=after)
    messages, events = run(ValidatePickupForm(), tracker)
    return texts(messages), slot_events(events), messages


def test_answers_are_cleaned_and_checked() -> None:
    assert answer("我叫王小明", "sender_name")[1]["sender_name"] == "王小明"
    assert answer("138 1234 5678", "sender_phone")[1]["sender_phone"] == "13812345678"
    shown, slots, _ = answer("12345", "sender_phone")
    assert slots["sender_phone"] is None and "11 位" in shown and "香港、台湾" in shown
    assert answer("0912 345 678", "sender_phone")[1]["sender_phone"] == "+886912345678"
    assert answer("电话是+852 9123 4567", "sender_phone")[1]["sender_phone"] == "+85291234567"
    shown, slots, _ = answer("+852 4123 4567", "sender_phone")
    assert slots["sender_phone"] is None and "抱歉" in shown
    shown, slots, _ = answer("文三路100号3单元", "pickup_address")
    assert slots["pickup_address"] is None and "城市" in shown
    assert answer("地址是杭州市西湖区文三路100号", "pickup_address")[1]["pickup_address"] == "杭州市西湖区文三路100号"
    assert answer("北京", "destination")[1]["destination"] == "北京"
    assert answer("一箱书", "item")[1]["item"] == "一箱书"
    assert answer("明天上午9点到11点", "time_window")[1]["time_window"] == "明天上午9点到11点"
    shown, slots, _ = answer("随便吧", "time_window")
    assert slots["time_window"] is None and "时间" in shown


def test_the_address_city_is_not_taken_for_the_destination() -> None:
    text = "北京市朝阳区建国路88号"
    _, slots, _ = answer(text, "pickup_address", entities=[entity("city", "北京", text)])
    assert slots["pickup_address"] == text and "destination" not in slots


def test_faq_while_asked_for_the_name_is_not_a_name() -> None:
    assert answer("什么东西不能寄", "sender_name", intent="faq")[1] == {}


def test_confirm_books_on_affirm() -> None:
    assert answer("确认", "pickup_confirmed", FILLED, intent="affirm")[1]["pickup_confirmed"] is True


def test_change_without_a_value_asks_which_field_then_reasks_it() -> None:
    shown, slots, messages = answer("改一下", "pickup_confirmed", FILLED, intent="deny")
    assert slots["pickup_confirmed"] is None and slots["pickup_edit_pending"] is True
    assert "修改哪一项" in shown and len(messages[0]["buttons"]) == 6
    _, slots, _ = answer("改取件地址", "pickup_confirmed", {**FILLED, "pickup_edit_pending": True})
    assert slots["pickup_address"] is None and slots["pickup_edit_pending"] is False


def test_correction_with_the_new_value_at_the_confirm_step() -> None:
    shown, slots, _ = answer("地址改成杭州市滨江区江南大道1号", "pickup_confirmed", FILLED, intent="deny")
    assert slots["pickup_address"] == "杭州市滨江区江南大道1号" and slots["pickup_confirmed"] is None
    text = "不对，电话是13800001111"
    shown, slots, _ = answer(text, "pickup_confirmed", FILLED, intent="deny", entities=[entity("phone", "13800001111", text)])
    assert slots["sender_phone"] == "13800001111" and slots["pickup_confirmed"] is None
    assert "电话已更新" in shown


def test_summary_masks_the_phone() -> None:
    messages, _ = run(ActionAskPickupConfirmed(), make_tracker(slots=FILLED))
    shown = texts(messages)
    assert "139****5678" in shown and "13912345678" not in shown and "文三路100号" in shown
    assert [b["payload"] for b in messages[0]["buttons"]] == ["确认", "改一下"]


def test_booking_gives_tracking_number_and_fee_and_is_stored(client: BackendClient, api) -> None:
    tracker = make_tracker(slots={**FILLED, "pickup_confirmed": True}, sender="pickup-book-1")
    messages, events = run(ActionBookPickup(), tracker)
    shown = texts(messages)
    number = slot_events(events)["tracking_number"]
    assert slot_events(events)["rating_due"] is True  # the satisfaction survey follows
    assert number.startswith("ZT") and number in shown and "预估运费：¥" in shown
    assert "139****5678" in shown and "13912345678" not in shown
    parcel = api("GET", f"/api/v1/parcels/{number}").json()
    assert parcel["origin_city"] == "杭州" and parcel["destination_city"] == "北京"
    token = api("POST", f"/api/v1/parcels/{number}/verify", json={"phone_last4": "5678"}).json()["token"]
    details = api("GET", f"/api/v1/parcels/{number}/details", headers={"X-Verification-Token": token}).json()
    assert details["sender"]["name"] == "王小明" and "文三路100号" in details["sender"]["address"]
    # the same confirmation retried (e.g. after a timeout) is replayed, never booked twice
    again = slot_events(run(ActionBookPickup(), tracker)[1])["tracking_number"]
    assert again == number


def test_prohibited_item_is_refused_with_the_reason(client: BackendClient) -> None:
    tracker = make_tracker(slots={**FILLED, "item": "一桶汽油", "pickup_confirmed": True})
    messages, events = run(ActionBookPickup(), tracker)
    shown = texts(messages)
    assert "禁寄" in shown and "易燃" in shown
    assert slot_events(events)["item"] is None
    assert slot_events(events)["rating_due"] is False  # back into the form, no survey


def test_backend_down_keeps_everything_and_reopens_the_confirmation(dead_client: BackendClient) -> None:
    messages, events = run(ActionBookPickup(), make_tracker(slots={**FILLED, "pickup_confirmed": True}))
    shown = texts(messages)
    assert "抱歉" in shown and "不会重复" in shown and "转人工" in shown
    assert slot_events(events) == {"pickup_confirmed": None, "rating_due": False}
    assert slot_events(events)["rating_due"] is False  # back into the form, no survey
