"""Pickup conversations end to end: the form, the summary, corrections, refusals, and what the backend stored."""

from __future__ import annotations

import pytest

from tests.e2e.flows1_chat import pickups_of, slots_of
from tests.e2e.flows2_chat import Backend, Chat, first, fresh_phone, tw

pytestmark = pytest.mark.e2e


def fill(chat: Chat, phone: str, *, item: str = "衣服", address: str = "杭州市西湖区文三路100号") -> str:
    assert "称呼" in chat.say("我要寄快递，麻烦上门取件"), chat.history()
    assert "手机号" in chat.say("王小明"), chat.history()
    assert "地址" in chat.say(phone), chat.history()
    assert "寄到哪" in chat.say(address), chat.history()
    assert "什么物品" in chat.say("北京"), chat.history()
    assert "时间" in chat.say(item), chat.history()
    return chat.say("明天上午")


def test_booked_pickup_is_stored_with_the_right_fields(stack) -> None:
    chat, phone = Chat(stack, "pu-happy"), fresh_phone()
    shown = fill(chat, phone)
    masked = f"{phone[:3]}****{phone[-4:]}"
    assert "请核对" in shown and masked in shown and phone not in shown and "文三路100号" in shown, chat.history()
    shown = chat.say("确认")
    number = first(r"ZT\d{12}", shown)
    assert "预约成功" in shown and "预估运费：¥" in shown and "打个分" in shown, chat.history()
    [stored] = pickups_of(stack, chat.sender)
    assert stored["tracking_number"] == number and stored["sender_name"] == "王小明"
    assert stored["sender_phone"] == phone and stored["pickup_address"] == "杭州市西湖区文三路100号"
    assert (stored["origin"], stored["destination"], stored["item"]) == ("杭州", "北京", "衣服")
    assert stored["time_window"] == "明天上午" and stored["estimated_fee_fen"] > 0
    assert Backend(stack).get(f"/parcels/{number}")["destination_city"] == "北京"
    assert "感谢" in chat.say("5"), chat.history()
    assert Backend(stack).ratings_of(chat.sender) == [(5, stored["pickup_id"])]


def test_prohibited_item_is_refused_with_the_reason_then_another_item_is_booked(stack) -> None:
    chat, phone = Chat(stack, "pu-banned"), fresh_phone()
    fill(chat, phone, item="两瓶汽油")
    shown = chat.say("确认")
    assert "禁寄" in shown and "易燃" in shown and "什么物品" in shown, chat.history()
    assert pickups_of(stack, chat.sender) == []
    assert "请核对" in chat.say("一箱书"), chat.history()
    first(r"ZT\d{12}", chat.say("确认"))
    [stored] = pickups_of(stack, chat.sender)
    assert stored["item"] == "一箱书"


def test_correction_at_the_summary_changes_the_booked_address(stack) -> None:
    chat, phone = Chat(stack, "pu-fix"), fresh_phone()
    fill(chat, phone)
    shown = chat.say("改一下")
    assert "修改哪一项" in shown and "[取件地址]" in shown, chat.history()
    assert "详细地址" in chat.say("改取件地址"), chat.history()
    shown = chat.say("杭州市滨江区江南大道1号")
    assert "请核对" in shown and "江南大道1号" in shown, chat.history()
    shown = chat.say("不对，电话是13800001111")
    assert "电话已更新" in shown and "138****1111" in shown, chat.history()
    first(r"ZT\d{12}", chat.say("确认"))
    [stored] = pickups_of(stack, chat.sender)
    assert stored["pickup_address"] == "杭州市滨江区江南大道1号" and stored["sender_phone"] == "13800001111"


def test_a_question_mid_booking_is_answered_then_the_form_goes_on(stack) -> None:
    chat = Chat(stack, "pu-faq")
    chat.say("预约上门取件")
    assert "手机号" in chat.say("李女士"), chat.history()
    shown = chat.say("你们几点上班")
    assert "手机号" in shown, chat.history()
    assert slots_of(stack, chat.sender)["requested_slot"] == "sender_phone"


def test_cancelling_books_nothing(stack) -> None:
    chat = Chat(stack, "pu-cancel")
    chat.say("帮我叫个快递员上门")
    chat.say("张三")
    shown = chat.say("算了，不寄了")
    assert "已为您取消上门取件预约" in shown, chat.history()
    assert pickups_of(stack, chat.sender) == []
    assert slots_of(stack, chat.sender)["sender_name"] is None


def test_traditional_customer_books_a_pickup(stack) -> None:
    chat, phone = Chat(stack, "pu-tw"), fresh_phone()
    assert tw("称呼") in chat.say("我要寄件，請上門取件"), chat.history()
    chat.say("陳大文")
    chat.say(phone)
    assert tw("寄到哪") in chat.say("廣州市天河區體育西路10號"), chat.history()
    chat.say("深圳")
    chat.say("一箱書")
    shown = chat.say("明天下午")
    assert tw("请核对") in shown, chat.history()
    shown = chat.say("確認")
    number = first(r"ZT\d{12}", shown)
    assert tw("预约成功") in shown, chat.history()
    [stored] = pickups_of(stack, chat.sender)
    assert stored["tracking_number"] == number and stored["origin"] == "广州" and stored["destination"] == "深圳"
    assert stored["sender_name"] == "陈大文" and stored["item"] == "一箱书"
