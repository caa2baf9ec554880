"""Tracking conversations end to end (Rasa + actions + backend): what the customer sees and what is kept."""

from __future__ import annotations

import pytest

from tests.e2e.flows1_chat import slots_of
from tests.e2e.flows2_chat import Backend, Chat, tw

pytestmark = pytest.mark.e2e


def test_number_in_the_message_then_details_after_verification(stack) -> None:
    chat = Chat(stack, "tr-verify")
    shown = chat.say("帮我查下快递 ZT100000000001")
    assert "运输中" in shown and "当前所在：济南" in shown and "预计送达" in shown, chat.history()
    assert "最新动态" in shown and "后 4 位" in shown, chat.history()
    assert "13812345678" not in shown and "13987654321" not in shown
    shown = chat.say("5678")
    assert "完整信息" in shown and "物流轨迹" in shown and "收件人" in shown, chat.history()
    assert "138****5678" in shown and "13812345678" not in shown, chat.history()


def test_asked_for_the_number_a_malformed_one_gets_a_hint(stack) -> None:
    chat = Chat(stack, "tr-ask")
    assert "单号" in chat.say("我想查个快递"), chat.history()
    shown = chat.say("ZT12345")
    assert "ZT 加 12 位数字" in shown, chat.history()
    shown = chat.say("ZT100000000002")
    assert "已签收" in shown and "ZT100000000002" in shown, chat.history()


def test_several_numbers_in_one_message_are_all_answered(stack) -> None:
    chat = Chat(stack, "tr-many")
    shown = chat.say("ZT100000000001 和 ZT100000000004 这两个件到哪了")
    assert "ZT100000000001" in shown and "ZT100000000004" in shown, chat.history()
    assert "运输中" in shown and "派送中" in shown, chat.history()


def test_delayed_parcel_apology_and_the_number_carried_into_a_complaint(stack) -> None:
    chat = Chat(stack, "tr-delay")
    shown = chat.say("ZT100000000003到哪了")
    assert "延误" in shown and "抱歉" in shown, chat.history()
    assert "[我要投诉]" in shown and "[申请理赔]" in shown, chat.history()
    shown = chat.say("/file_complaint")
    assert "抱歉" in shown, chat.history()
    assert slots_of(stack, chat.sender)["tracking_number"] == "ZT100000000003"


def test_three_wrong_tries_lock_the_details_for_the_conversation(stack) -> None:
    chat = Chat(stack, "tr-lock")
    chat.say("查一下ZT100000000005")
    assert "再试 2 次" in chat.say("0000"), chat.history()
    assert "再试 1 次" in chat.say("尾号1111"), chat.history()
    assert "上限" in chat.say("2222"), chat.history()
    shown = chat.say("ZT100000000005")  # asking again shows the status but no longer offers the details
    assert "异常" in shown and "后 4 位" not in shown, chat.history()
    assert slots_of(stack, chat.sender)["verification_failures"] == {"ZT100000000005": 3}


def test_unknown_number_is_said_politely(stack) -> None:
    chat = Chat(stack, "tr-unknown")
    shown = chat.say("查件 ZT999999999999")
    assert "没有查到单号 ZT999999999999" in shown, chat.history()


def test_traditional_customer_is_answered_in_traditional(stack) -> None:
    chat = Chat(stack, "tr-tw")
    shown = chat.say("幫我查一下快遞 ZT100000000004")
    assert "ZT100000000004" in shown and tw("派送中") in shown, chat.history()
    assert tw("如需查看") in shown and "单号" not in shown, chat.history()
    shown = chat.say("後四位是5555")
    assert tw("核实") in shown or tw("没有核对上") in shown, chat.history()
    backend = Backend(stack)
    assert backend.get("/parcels/ZT100000000004")["status"] == "out_for_delivery"


def test_traditional_customer_with_a_delayed_parcel_gets_the_apology_in_traditional(stack) -> None:
    chat = Chat(stack, "tr-tw-delay")
    shown = chat.say("我的快遞ZT100000000003到哪裡了")
    assert tw("延误") in shown and tw("非常抱歉") in shown, chat.history()
    assert f"[{tw('我要投诉')}]" in shown and f"[{tw('申请理赔')}]" in shown, chat.history()
    assert slots_of(stack, chat.sender)["tracking_number"] == "ZT100000000003"
