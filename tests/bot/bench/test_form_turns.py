"""The simulated customer of bot/bench/form_turns.py: what it reads as asked, and how it counts its turns."""

from __future__ import annotations

from dataclasses import replace

import pytest
import yaml

from bot.bench.form_turns import (
    CONFIRM,
    FORMS,
    PHOTOS,
    Customer,
    CustomerLost,
    QuestionReader,
    converse,
    customers,
    question_key,
)
from bot.vocabulary.script import to_traditional
from tests.support import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def reader(form: str) -> QuestionReader:
    return QuestionReader(DOMAIN, form)


def test_the_key_of_a_question_is_what_it_asks() -> None:
    assert question_key("好的，帮您预约上门取件。请问寄件人怎么称呼？") == "请问寄件人怎么称呼"
    assert question_key("请留一个联系电话，处理人员会通过这个号码联系您。") == "请留一个联系电话"
    assert question_key("请告诉我上门取件的详细地址（带上城市，比如：杭州市西湖区文三路 100 号）。") == \
        "请告诉我上门取件的详细地址"
    assert question_key("請問寄到哪個城市？") == "请问寄到哪个城市"


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("script", ["simplified", "traditional"])
def test_every_question_of_the_domain_is_read_as_its_slot_in_either_script(form: str, script: str) -> None:
    questions = reader(form)
    asked_slots = [slot for slot in questions.slots if f"utter_ask_{slot}" in DOMAIN["responses"]]
    assert asked_slots, form
    for slot in asked_slots:
        for variant in DOMAIN["responses"][f"utter_ask_{slot}"]:
            text = variant["text"] if script == "simplified" else to_traditional(variant["text"])
            assert questions.asked(text) == (slot, False), (slot, text)


def test_the_latest_question_of_a_reply_is_the_one_asked() -> None:
    reply = "好的，已记下：上门时间 后天上午10点到12点。\n好的，帮您预约上门取件。请问寄件人怎么称呼？"
    assert reader("pickup").asked(reply) == ("sender_name", False)
    assert reader("pickup").asked("请问寄的是什么物品？\n请问寄到哪个城市？") == ("destination", False)


def test_the_same_words_are_the_slot_of_the_form_in_play() -> None:
    assert reader("quote").asked("请问寄到哪个城市？") == ("destination", False)
    assert reader("complaint").asked("请留一个联系电话，处理人员会通过这个号码联系您。") == ("complaint_phone", False)
    assert reader("claim").asked("请留一个联系电话，理赔进展会通过这个号码通知您。") == ("claim_phone", False)


def test_the_summary_and_the_photo_request_are_recognised() -> None:
    summary = ("请核对理赔信息：\n快递单号：ZT100000000002\n照片凭证：暂无（可凭理赔单号补发）\n"
               "无误请回复“确认”；要修改可以直接说，比如“金额改成800”。")
    assert reader("claim").asked(summary) == (CONFIRM, False)
    assert reader("claim").asked(to_traditional(summary)) == (CONFIRM, False)
    photos = "如果方便，请直接发送物品和外包装的照片（可以发多张），发完回复“好了”。"
    assert reader("claim").asked(to_traditional(photos)) == (PHOTOS, False)


def test_a_hint_in_other_words_is_guessed_and_a_reply_without_a_question_is_none() -> None:
    hint = "抱歉，我没能判断是哪类问题，请点选下面的一项，比如“延误”“破损”，都不是的话回复“其他”。"
    assert reader("complaint").asked(to_traditional(hint)) == ("complaint_category", True)
    assert reader("pickup").asked("您好，我是快递智能客服。") is None
    assert reader("complaint").asked("请回复寄件人手机号的后 4 位", guess=False) is None


class ScriptedBot:
    """Answers from a list, one per customer message, and remembers what the customer said."""

    def __init__(self, replies: list[str]) -> None:
        self.replies, self.heard = list(replies), []

    def __call__(self, sender: str, text: str) -> list[dict]:
        self.heard.append(text)
        return [{"recipient_id": sender, "text": self.replies.pop(0)}]


PICKUP = Customer("pickup", "step_by_step", opening="我要寄快递", restate="我要寄快递",
                  facts={"sender_name": "我姓李", "sender_phone": "13900001111", "pickup_address": "体育西路1号",
                         "destination": "成都", "item": "茶叶", "time_window": "明天下午"},
                  swaps={"sender_name": "time_window"}, markers={"sender_name": "李", "item": "茶叶"})


def test_the_customer_answers_out_of_order_once_corrects_the_summary_once_and_counts_its_turns() -> None:
    bot = ScriptedBot(["请问寄件人怎么称呼？", "请问寄件人怎么称呼？", "请问寄到哪个城市？",
                       "请核对取件信息：\n寄件人：李女士\n目的地：成都", "请核对取件信息：\n寄件人：李女士",
                       "预约成功 🎉\n运单号：ZT200000000001"])
    outcome = converse(bot, PICKUP, reader("pickup"))
    assert bot.heard == ["我要寄快递", "明天下午", "我姓李", "成都", "物品改成茶叶", "确认"]
    assert (outcome.turns, outcome.result, outcome.corrections) == (6, "ZT200000000001", 1)
    assert outcome.summary_missing == ["item"]  # what the confirmed summary still lacked


def test_a_traditional_customer_writes_traditional() -> None:
    bot = ScriptedBot(["請問寄件人怎麼稱呼？", "請核對取件信息：李，茶葉", "預約成功\n運單號：ZT200000000001"])
    customer = PICKUP.in_traditional()
    assert converse(bot, customer, reader("pickup")).turns == 3
    assert bot.heard == ["我要寄快遞", "明天下午", "確認"]


def test_a_request_taken_for_something_else_is_said_again() -> None:
    tracked = "🚚 单号 ZT100000000001：运输中\n如需查看完整信息，请回复寄件人或收件人手机号的后 4 位。"
    bot = ScriptedBot([tracked, "请问寄件人怎么称呼？", "请核对取件信息：李，茶叶", "预约成功\n运单号：ZT200000000001"])
    outcome = converse(bot, replace(PICKUP, opening="寄茶叶，ZT100000000001"), reader("pickup"))
    assert bot.heard == ["寄茶叶，ZT100000000001", "我要寄快递", "明天下午", "确认"]
    assert (outcome.turns, outcome.restated) == (4, 1)


def test_a_customer_that_never_gets_there_fails_loudly() -> None:
    bot = ScriptedBot(["请问寄件人怎么称呼？"] * 3)
    with pytest.raises(CustomerLost) as lost:
        converse(bot, PICKUP, reader("pickup"), max_turns=3)
    assert "within 3 turns" in lost.value.args[0].error and len(lost.value.args[0].transcript) == 3


def test_every_form_has_both_styles_in_both_scripts() -> None:
    made = {(c.form, c.style, c.script) for c in customers()}
    assert made == {(f, s, w) for f in FORMS for s in ("one_message", "step_by_step")
                    for w in ("simplified", "traditional")}
