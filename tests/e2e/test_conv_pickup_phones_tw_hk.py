"""A pickup booked with a Hong Kong or a Taiwan mobile, in both scripts: the number is taken, shown masked, and
stored with its country code; a number that is no mobile there gets the polite phone hint."""

from __future__ import annotations

import pytest

from tests.e2e.flows1_chat import pickups_of
from tests.e2e.flows2_chat import Chat, first, tw

pytestmark = pytest.mark.e2e


def test_simplified_customer_books_with_a_hong_kong_mobile(stack) -> None:
    chat = Chat(stack, "pu-hk")
    assert "称呼" in chat.say("我要寄快递，麻烦上门取件"), chat.history()
    assert "手机号" in chat.say("王小明"), chat.history()
    shown = chat.say("+852 4123 4567")  # no Hong Kong mobile starts with 4
    assert "抱歉" in shown and "香港、台湾" in shown and "4123" not in shown, chat.history()
    assert "地址" in chat.say("+852 9123 4567"), chat.history()
    assert "寄到哪" in chat.say("杭州市西湖区文三路100号"), chat.history()
    assert "什么物品" in chat.say("北京"), chat.history()
    assert "时间" in chat.say("衣服"), chat.history()
    shown = chat.say("明天上午")
    assert "请核对" in shown and "+852 9***4567" in shown and "9123" not in shown, chat.history()
    shown = chat.say("确认")
    number = first(r"ZT\d{12}", shown)
    assert "预约成功" in shown and "+852 9***4567" in shown, chat.history()
    [stored] = pickups_of(stack, chat.sender)
    assert stored["tracking_number"] == number and stored["sender_phone"] == "+85291234567"


def test_traditional_customer_books_with_a_taiwan_mobile(stack) -> None:
    chat = Chat(stack, "pu-twm")
    assert tw("称呼") in chat.say("我要寄件，請上門取件"), chat.history()
    chat.say("陳大文")
    shown = chat.say("0212345678")  # a Taipei landline: the courier needs a mobile
    assert tw("抱歉") in shown and tw("香港、台湾") in shown, chat.history()
    assert tw("地址") in chat.say("0912-345-678"), chat.history()
    assert tw("寄到哪") in chat.say("廣州市天河區體育西路10號"), chat.history()
    chat.say("深圳")
    chat.say("一箱書")
    shown = chat.say("明天下午")
    assert tw("请核对") in shown and "+886 912***678" in shown and "345" not in shown, chat.history()
    shown = chat.say("確認")
    number = first(r"ZT\d{12}", shown)
    assert tw("预约成功") in shown, chat.history()
    [stored] = pickups_of(stack, chat.sender)
    assert stored["tracking_number"] == number and stored["sender_phone"] == "+886912345678"
    assert stored["sender_name"] == "陈大文" and stored["destination"] == "深圳"
