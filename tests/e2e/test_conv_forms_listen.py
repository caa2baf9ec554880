"""Forms that listen (issue 19), end to end: everything in one message is one confirmation turn, answers out of
order land in their own slots and are not asked again, a correction changes only that field."""

from __future__ import annotations

import pytest

from tests.e2e.flows1_chat import pickups_of, slots_of
from tests.e2e.flows2_chat import Chat, first, fresh_phone

pytestmark = pytest.mark.e2e

PICKUP_FIELDS = ("sender_name", "sender_phone", "pickup_address", "destination", "item", "time_window")


def test_a_pickup_told_in_one_message_is_one_confirmation_turn(stack) -> None:
    chat, phone = Chat(stack, "fl-one"), fresh_phone()
    shown = chat.say(f"后天上午10点到12点来取件，寄两箱茶叶去成都，地址广州市天河区体育西路1号，电话{phone}，我姓李")
    assert "请核对" in shown and "称呼" not in shown, chat.history()
    assert "李先生/女士" in shown and "体育西路1号" in shown and "成都" in shown and "两箱茶叶" in shown
    assert "后天上午10点到12点" in shown and "10:00-12:00" in shown, chat.history()
    booked = chat.say("确认")
    first(r"ZT\d{12}", booked)
    [stored] = pickups_of(stack, chat.sender)
    assert (stored["origin"], stored["destination"], stored["sender_phone"]) == ("广州", "成都", phone)


def test_a_time_given_for_the_name_is_the_time_and_nothing_is_asked_twice(stack) -> None:
    chat, phone = Chat(stack, "fl-order"), fresh_phone()
    assert "称呼" in chat.say("我要寄快递，麻烦上门取件"), chat.history()
    shown = chat.say("明天下午")
    assert "明天下午" in shown and "称呼" in shown, chat.history()
    assert slots_of(stack, chat.sender)["sender_name"] is None
    assert "手机号" in chat.say("我姓李，女士"), chat.history()
    shown = chat.say(f"{phone}，地址杭州市西湖区文三路100号")
    assert "寄到哪" in shown and "地址" not in shown.replace("已记下", ""), chat.history()
    shown = chat.say("寄一箱书到北京")
    assert "请核对" in shown and "时间" not in shown.split("请核对")[0], chat.history()
    slots = slots_of(stack, chat.sender)
    assert (slots["sender_name"], slots["time_window"], slots["item"]) == ("李女士", "明天下午", "一箱书")


def test_a_correction_at_the_summary_changes_only_that_field(stack) -> None:
    chat, phone = Chat(stack, "fl-fix"), fresh_phone()
    chat.say(f"明天上午来取件，寄衣服到北京，地址杭州市西湖区文三路100号，电话{phone}，我叫王小明")
    before = {k: slots_of(stack, chat.sender)[k] for k in PICKUP_FIELDS}
    new_phone = fresh_phone()
    shown = chat.say(f"电话写错了，是{new_phone}")
    assert "电话已更新" in shown and "请核对" in shown, chat.history()
    after = {k: slots_of(stack, chat.sender)[k] for k in PICKUP_FIELDS}
    assert {k: v for k, v in after.items() if before[k] != v} == {"sender_phone": new_phone}


def test_a_quote_told_in_one_message_is_answered_at_once(stack) -> None:
    chat = Chat(stack, "fl-quote")
    shown = chat.say("从杭州寄5公斤到北京，30x20x10，特快，多少钱")
    assert "合计：¥" in shown and "特快" in shown and "尺寸" not in shown, chat.history()
