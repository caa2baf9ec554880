"""Key customers recognised by phone on any turn, and given their manager when they ask for a person.

The handoff itself (queue, hours, callbacks) is tested in tests/console/."""

from __future__ import annotations

from actions.backend_client import BackendClient
from actions.every_turn import ActionValidateSlotMappings
from actions.handoff import ActionRequestHuman
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


def test_a_key_customer_asking_for_a_person_is_given_their_manager(client: BackendClient) -> None:
    manager = {"name": "周经理", "phone": "13900001111"}
    tracker = make_tracker(slots={"customer_vip": True, "account_manager": manager},
                           latest=user("找我的客户经理", "request_human"), sender="human-vip")
    shown = texts(run(ActionRequestHuman(), tracker)[0])
    assert "周经理（139****1111）" in shown
