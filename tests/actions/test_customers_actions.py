"""Key customers recognised by phone on any turn: routed first when they ask for a person, told nothing personal.

A phone number typed in the chat proves nothing (issue 13, finding 5): no name, no "key customer" label and no
account manager in any reply to someone who only typed a phone. The handoff itself (queue, hours, callbacks)
is tested in tests/bot/console/."""

from __future__ import annotations

import pytest

from actions.every_turn import ActionValidateSlotMappings
from actions.handoff import ActionRequestHuman, handoff_payload
from bot.clients.backend import BackendClient
from tests.actions.action_helpers import entity, make_tracker, run, slot_events, texts, user

# The demo key customer, their name and their manager (bot/backend/seed.py), none of which may be shown.
VIP_PHONE = "13812345678"
PERSONAL = ("贺俊杰", "周经理", "13900001111", "139****1111", "重点客户", "VIP", "专属", "优先")


def turn(text: str, phone: str | None, slots: dict | None = None, sender: str = "vip-unit"):
    """What action_extract_slots hands to the global validation: the phone slot just set."""
    entities = [entity("phone", phone, text)] if phone else []
    tracker = make_tracker(slots=slots, latest=user(text, "greet", entities), sender=sender,
                           after={"phone": phone} if phone else None)
    messages, events = run(ActionValidateSlotMappings(), tracker)
    return texts(messages), slot_events(events)


@pytest.mark.security
def test_a_key_customers_phone_is_recognised_silently(client: BackendClient, api) -> None:
    name = api("GET", f"/api/v1/customers/by-phone/{VIP_PHONE}").json()["name"]
    shown, slots = turn(f"你好，我手机{VIP_PHONE}", VIP_PHONE)
    assert shown == ""
    assert name not in shown and not any(word in shown for word in PERSONAL)
    assert slots["customer_vip"] is True and slots["customer_checked_phone"] == VIP_PHONE
    # The tracker keeps no manager either: what it holds, a reply (or a tracker dump) could show.
    assert slots.get("account_manager") is None


def test_an_ordinary_or_unknown_customer_gets_no_special_greeting(client: BackendClient) -> None:
    shown, slots = turn("我电话 13511112222", "13511112222")
    assert shown == "" and slots["customer_vip"] is False
    shown, slots = turn("我电话 13000000009", "13000000009")
    assert shown == "" and slots["customer_vip"] is False


def test_recognition_is_skipped_quietly_when_the_backend_is_down(dead_client) -> None:
    shown, slots = turn(VIP_PHONE, VIP_PHONE)
    assert shown == "" and "customer_vip" not in slots


@pytest.mark.security
def test_asking_for_a_person_with_a_typed_phone_reveals_no_name_and_no_manager(client: BackendClient) -> None:
    text = f"我的手机号是{VIP_PHONE}，帮我转人工"
    tracker = make_tracker(slots={"customer_vip": True, "phone": VIP_PHONE},
                           latest=user(text, "request_human", [entity("phone", VIP_PHONE, text)]), sender="human-vip")
    shown = texts(run(ActionRequestHuman(), tracker)[0])
    assert "人工客服" in shown and not any(word in shown for word in PERSONAL), shown
    # …while the handoff still tells the backend it is a key customer, so the VIP team gets it first.
    assert handoff_payload(tracker, "asked_for_human")["is_vip"] is True


@pytest.mark.security
def test_asking_for_the_manager_gets_the_same_answer_whether_key_customer_or_not(client: BackendClient) -> None:
    answers = []
    for vip, phone in ((True, VIP_PHONE), (False, "13511112222")):
        tracker = make_tracker(slots={"customer_vip": vip, "phone": phone},
                               latest=user("找我的客户经理", "request_human"), sender=f"manager-{vip}")
        shown = texts(run(ActionRequestHuman(), tracker)[0])
        assert "核实您的身份后" in shown and not any(word in shown for word in PERSONAL), shown
        answers.append(shown.split("，", 1)[0])
    assert answers[0] == answers[1]  # the opening does not tell a key customer apart
