"""Key customers recognised by phone on any turn, and honest answers to a request for a person."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from actions.backend_client import BackendClient
from actions.every_turn import ActionValidateSlotMappings
from actions.handoff import ActionRequestHuman, agents_on_duty, request_human_text
from tests.actions.action_helpers import entity, make_tracker, run, slot_events, texts, user


def turn(text: str, phone: str | None, slots: dict | None = None, sender: str = "vip-unit"):
    """What action_extract_slots hands to the global validation: the phone slot just set."""
    entities = [entity("phone", phone, text)] if phone else []
    tracker = make_tracker(slots=slots, latest=user(text, "greet", entities), sender=sender,
                           after={"phone": phone} if phone else None)
    messages, events = run(ActionValidateSlotMappings(), tracker)
    return texts(messages), slot_events(events)


def test_a_key_customer_is_greeted_with_priority_and_their_manager(client: BackendClient) -> None:
    shown, slots = turn("你好，我手机13812345678", "13812345678")
    assert "重点客户" in shown and "优先" in shown and "周经理" in shown
    assert "139****1111" in shown and "13900001111" not in shown
    assert slots["customer_vip"] is True and slots["customer_checked_phone"] == "13812345678"
    # Once per phone and conversation: the next mention is quiet.
    shown, _ = turn("13812345678", "13812345678", {"customer_checked_phone": "13812345678"})
    assert shown == ""


def test_an_ordinary_or_unknown_customer_gets_no_special_greeting(client: BackendClient) -> None:
    shown, slots = turn("我电话 13511112222", "13511112222")
    assert shown == "" and slots["customer_vip"] is False
    shown, slots = turn("我电话 13000000009", "13000000009")
    assert shown == "" and slots["customer_vip"] is False


def test_recognition_is_skipped_quietly_when_the_backend_is_down(dead_client) -> None:
    shown, slots = turn("13812345678", "13812345678")
    assert shown == "" and "customer_vip" not in slots


def test_a_person_is_requested_honestly_and_the_event_recorded(client: BackendClient, api) -> None:
    before = api("GET", "/api/v1/reports/kpi").json()["handoffs_by_reason"].get("asked_for_human", 0)
    tracker = make_tracker(latest=user("转人工", "request_human"), sender="human-unit")
    shown = texts(run(ActionRequestHuman(), tracker)[0])
    assert "08:00–22:00" in shown and "已为您记录" in shown and "正在为您转接" not in shown
    after = api("GET", "/api/v1/reports/kpi").json()["handoffs_by_reason"].get("asked_for_human", 0)
    assert after == before + 1


def test_a_key_customer_asking_for_a_person_is_given_their_manager(client: BackendClient) -> None:
    manager = {"name": "周经理", "phone": "13900001111"}
    tracker = make_tracker(slots={"customer_vip": True, "account_manager": manager},
                           latest=user("找我的客户经理", "request_human"), sender="human-vip")
    shown = texts(run(ActionRequestHuman(), tracker)[0])
    assert "周经理（139****1111）" in shown


def test_agents_hours_come_from_the_settings() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    assert agents_on_duty(datetime(2026, 11, 23, 9, 0, tzinfo=zone))
    assert not agents_on_duty(datetime(2026, 11, 23, 23, 30, tzinfo=zone))
    assert "现在不在服务时间" in request_human_text(False, None)
