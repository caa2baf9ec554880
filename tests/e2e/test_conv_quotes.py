"""Quote conversations end to end: only what is missing is asked, itemised answers, special cargo tickets."""

from __future__ import annotations

import re

import pytest

from tests.e2e.flows1_chat import slots_of
from tests.e2e.flows2_chat import Chat, first, tw

pytestmark = pytest.mark.e2e


def test_values_in_the_first_message_are_not_asked_again(stack) -> None:
    chat = Chat(stack, "qt-first")
    shown = chat.say("从杭州寄5公斤到北京多少钱")
    assert "尺寸" in shown and "哪个城市" not in shown and "多重" not in shown, chat.history()
    assert "标准" in chat.say("不知道"), chat.history()
    shown = chat.say("标准")
    assert "从杭州寄到北京" in shown and "首重：¥" in shown and "续重：¥" in shown, chat.history()
    assert "合计：¥" in shown and "送达" in shown and "计费重量 5 公斤" in shown, chat.history()
    assert "[预约上门取件]" in shown
    slots = slots_of(stack, chat.sender)
    assert (slots["origin"], slots["destination"], slots["weight"]) == ("杭州", "北京", "5")


def test_step_by_step_with_size_gives_volumetric_weight(stack) -> None:
    chat = Chat(stack, "qt-steps")
    assert "寄出" in chat.say("寄快递多少钱"), chat.history()
    assert "寄到哪" in chat.say("上海"), chat.history()
    assert "多重" in chat.say("广州"), chat.history()
    assert "尺寸" in chat.say("3公斤"), chat.history()
    assert "标准" in chat.say("40x30x30"), chat.history()
    shown = chat.say("特快")
    assert "特快" in shown and "体积重 6 公斤" in shown and "计费重量 6 公斤" in shown, chat.history()
    assert "合计：¥" in shown, chat.history()


def test_special_cargo_becomes_a_quote_request_answered_within_8_hours(stack) -> None:
    chat = Chat(stack, "qt-special")
    chat.say("北京寄到成都，80公斤，运费多少")
    chat.say("不知道")
    shown = chat.say("标准")
    first(r"QR\d{11}", shown)
    assert "8 小时内" in shown and "特殊货物" in shown, chat.history()


def test_a_correction_mid_form_updates_the_weight(stack) -> None:
    chat = Chat(stack, "qt-correct")
    assert "多重" in chat.say("杭州到北京运费多少"), chat.history()
    assert "尺寸" in chat.say("5公斤"), chat.history()
    shown = chat.say("不对，是3公斤")
    assert "重量已改为 3 公斤" in shown and "尺寸" in shown, chat.history()
    chat.say("不知道")
    shown = chat.say("标准")
    assert "计费重量 3 公斤" in shown, chat.history()


def test_a_question_mid_form_is_answered_and_the_form_goes_on(stack) -> None:
    chat = Chat(stack, "qt-faq")
    chat.say("帮我算下运费")
    assert "寄到哪" in chat.say("上海"), chat.history()
    shown = chat.say("充电宝可以寄吗")
    assert "充电宝" in shown and "寄到哪" in shown, chat.history()
    assert "多重" in chat.say("北京"), chat.history()


def test_cancelling_forgets_the_answers(stack) -> None:
    chat = Chat(stack, "qt-cancel")
    chat.say("我想问下运费")
    chat.say("深圳")
    shown = chat.say("算了不用了")
    assert "已为您取消运费查询" in shown, chat.history()
    slots = slots_of(stack, chat.sender)
    assert slots["origin"] is None and slots["requested_slot"] is None


def test_traditional_customer_gets_a_traditional_itemised_quote(stack) -> None:
    chat = Chat(stack, "qt-tw")
    shown = chat.say("從廣州寄到上海要多少錢，2公斤")
    assert tw("尺寸") in shown, chat.history()
    chat.say("不清楚")
    shown = chat.say("標準")
    assert tw("合计") in shown and tw("首重") in shown and "¥" in shown, chat.history()
    assert re.search(tw("从广州寄到上海"), shown), chat.history()


def test_traditional_question_mid_quote_is_answered_and_the_form_goes_on(stack) -> None:
    chat = Chat(stack, "qt-tw-faq")
    assert tw("寄出") in chat.say("寄到北京多少錢"), chat.history()
    shown = chat.say("充電寶可以寄嗎")
    assert tw("充电宝") in shown and tw("寄出") in shown, chat.history()
    assert tw("多重") in chat.say("上海"), chat.history()
    slots = slots_of(stack, chat.sender)
    assert (slots["origin"], slots["destination"]) == ("上海", "北京")


def test_a_declared_value_in_the_question_shows_the_insurance_fee(stack) -> None:
    chat = Chat(stack, "qt-insured")
    chat.say("从杭州寄5公斤到北京，保价2000元，多少钱")
    chat.say("不知道")
    shown = chat.say("标准")
    assert "保价费：¥" in shown and "首重：¥" in shown and "计费重量 5 公斤" in shown, chat.history()
