"""Quote conversations end to end: a price as soon as route and weight are known, refined by size or service
on request; only what is missing is asked; itemised answers; special cargo tickets."""

from __future__ import annotations

import re

import pytest

from tests.e2e.flows1_chat import slots_of
from tests.e2e.flows2_chat import Chat, first, tw

pytestmark = pytest.mark.e2e


def test_origin_destination_and_weight_get_a_price_at_once(stack) -> None:
    chat = Chat(stack, "qt-first")
    shown = chat.say("从杭州寄5公斤到北京多少钱")
    assert "哪个城市" not in shown and "多重" not in shown and "您想选哪种服务" not in shown, chat.history()
    assert "从杭州寄到北京" in shown and "标准快递" in shown and "首重：¥" in shown and "续重：¥" in shown, chat.history()
    assert "合计：¥" in shown and "送达" in shown and "计费重量 5 公斤" in shown, chat.history()
    assert "体积重" in shown and "÷ 6000" in shown, chat.history()
    assert "[按尺寸重算]" in shown and "[换特快]" in shown and "[预约上门取件]" in shown, chat.history()
    slots = slots_of(stack, chat.sender)
    assert (slots["origin"], slots["destination"], slots["weight"]) == ("杭州", "北京", "5")


def test_shanghai_to_urumqi_is_priced_at_once_then_refined_by_size_and_service(stack) -> None:
    chat = Chat(stack, "qt-refine")
    shown = chat.say("从上海寄3公斤到乌鲁木齐多少钱")
    assert "尺寸知道吗" not in shown and "您想选哪种服务" not in shown, chat.history()
    assert "标准快递" in shown and "计费重量 3 公斤" in shown and "偏远地区附加费：¥" in shown, chat.history()
    assert "体积重" in shown and "÷ 6000" in shown, chat.history()
    standard = first(r"合计：¥[\d,.]+", shown)
    shown = chat.say("箱子50x40x30")
    assert "体积重 10 公斤" in shown and "计费重量 10 公斤" in shown and "标准快递" in shown, chat.history()
    assert first(r"合计：¥[\d,.]+", shown) != standard, chat.history()
    shown = chat.say("换特快")
    assert "特快" in shown and "计费重量 10 公斤" in shown and "[换标准快递]" in shown, chat.history()
    slots = slots_of(stack, chat.sender)
    assert (slots["origin"], slots["destination"], slots["weight"], slots["dimensions"], slots["service_level"]) == (
        "上海", "乌鲁木齐", "3", "50x40x30", "express")


def test_the_size_button_asks_for_the_size_then_prices_again(stack) -> None:
    chat = Chat(stack, "qt-size-button")
    assert "合计：¥" in chat.say("杭州到广州2公斤运费多少"), chat.history()
    assert "长x宽x高" in chat.say("按尺寸重算"), chat.history()
    shown = chat.say("40x30x30")
    assert "体积重 6 公斤" in shown and "计费重量 6 公斤" in shown and "合计：¥" in shown, chat.history()


def test_step_by_step_with_size_gives_volumetric_weight(stack) -> None:
    chat = Chat(stack, "qt-steps")
    assert "寄出" in chat.say("寄快递多少钱"), chat.history()
    assert "寄到哪" in chat.say("上海"), chat.history()
    assert "多重" in chat.say("广州"), chat.history()
    shown = chat.say("3公斤")
    assert "计费重量 3 公斤" in shown and "合计：¥" in shown, chat.history()
    shown = chat.say("40x30x30，特快")
    assert "特快" in shown and "体积重 6 公斤" in shown and "计费重量 6 公斤" in shown, chat.history()
    assert "合计：¥" in shown, chat.history()


def test_special_cargo_becomes_a_quote_request_answered_within_8_hours(stack) -> None:
    chat = Chat(stack, "qt-special")
    shown = chat.say("北京寄到成都，80公斤，运费多少")
    first(r"QR\d{11}", shown)
    assert "8 小时内" in shown and "特殊货物" in shown, chat.history()


def test_a_correction_mid_form_updates_the_weight(stack) -> None:
    chat = Chat(stack, "qt-correct")
    assert "多重" in chat.say("杭州到北京运费多少"), chat.history()
    assert "计费重量 5 公斤" in chat.say("5公斤"), chat.history()
    shown = chat.say("不对，是3公斤")
    assert "重量已改为 3 公斤" in shown and "计费重量 3 公斤" in shown, chat.history()


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
    assert tw("合计") in shown and tw("首重") in shown and "¥" in shown, chat.history()
    assert re.search(tw("从广州寄到上海"), shown) and tw("体积重") in shown, chat.history()
    shown = chat.say("換特快")
    assert tw("特快") in shown and tw("合计") in shown and tw("换标准快递") in shown, chat.history()
    assert slots_of(stack, chat.sender)["service_level"] == "express"


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
    shown = chat.say("从杭州寄5公斤到北京，保价2000元，多少钱")
    assert "保价费：¥" in shown and "首重：¥" in shown and "计费重量 5 公斤" in shown, chat.history()
