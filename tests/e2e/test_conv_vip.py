"""Key customers recognised by phone, and requests for a person answered honestly, end to end.

A typed phone number proves nothing (issue 13, finding 5): a key customer is routed first, silently, and no
reply names them, calls them a key customer or names their account manager."""

from __future__ import annotations

import pytest

from tests.e2e.flows2_chat import Backend, Chat, fresh_phone, tw

pytestmark = pytest.mark.e2e


def test_a_key_customer_giving_their_phone_at_greeting_is_told_nothing_personal(stack) -> None:
    chat = Chat(stack, "vip-greet")
    shown = chat.say("你好，我是13812345678")
    assert "重点客户" not in shown and "周经理" not in shown and "1111" not in shown, chat.history()
    assert "重点客户" not in chat.say("我的手机13812345678"), chat.history()


def test_a_traditional_key_customer_is_told_nothing_personal_either(stack) -> None:
    chat = Chat(stack, "vip-tw")
    shown = chat.say("您好，我的電話是13600001234")
    assert tw("重点客户") not in shown and tw("吴经理") not in shown and shown, chat.history()


def test_a_key_customer_recognised_inside_a_complaint_is_asked_nothing_twice(stack) -> None:
    chat, backend = Chat(stack, "vip-complaint"), Backend(stack)
    chat.say("我要投诉")
    chat.say("揽收")
    chat.say("约了上门取件，等了一下午没人来")
    chat.say("没有")
    shown = chat.say("18922223333")
    assert "重点客户" not in shown and "郑经理" not in shown and "请核对投诉信息" in shown, chat.history()
    chat.say("确认")
    assert any(item["category"] == "pickup" for item in backend.complaints_of("18922223333"))


def test_an_ordinary_customer_gets_no_priority_greeting(stack) -> None:
    chat = Chat(stack, "vip-none")
    assert "重点客户" not in chat.say(f"你好，我电话{fresh_phone()}"), chat.history()


def test_a_key_customer_asking_for_a_person_is_routed_first_without_being_told(stack) -> None:
    chat = Chat(stack, "human-vip")
    chat.say("你好，我是13812345678")
    shown = chat.say("我要人工客服")
    assert "人工客服" in shown and "周经理" not in shown and "重点客户" not in shown, chat.history()
    # The handoff itself knows the key customer: the agent sees the manager in the console.
    handoff = Backend(stack).get(f"/handoffs/by-conversation/{chat.sender}")
    assert handoff["is_vip"] is True and handoff["account_manager"] == "周经理", handoff
