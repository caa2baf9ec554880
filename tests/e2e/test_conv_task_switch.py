"""A customer inside one form who asks for another task gets it, end to end: the form is left (said in a line)
and the new request is answered as if no form had been open. A complaint's own story is never taken for a new
request. In Simplified and in Traditional."""

from __future__ import annotations

import pytest

from tests.e2e.flows1_chat import slots_of
from tests.e2e.flows2_chat import Backend, Chat, fresh_phone, tw

pytestmark = pytest.mark.e2e


def test_a_quote_and_a_parcel_while_a_complaint_look_up_waits_for_digits(stack) -> None:
    chat, backend = Chat(stack, "sw-status"), Backend(stack)
    ticket = backend.post("/complaints", {"category": "delay", "description": "一周了还没到",
                                          "contact_phone": fresh_phone()})
    assert "后 4 位" in chat.say(f"投诉单号 {ticket['number']}"), chat.history()
    shown = chat.say("寄3公斤从上海到北京多少钱")
    assert "投诉进度查询先停下了" in shown and "合计：¥" in shown, chat.history()
    assert "没认出来" not in shown and "后4位" not in shown, chat.history()
    assert slots_of(stack, chat.sender)["complaint_lookup"] is None
    shown = chat.say("查件 ZT100000000001")
    assert "当前所在：济南" in shown and "投诉" not in shown, chat.history()
    # Nothing was lost: the complaint is looked up again whenever asked.
    assert "后 4 位" in chat.say(f"投诉单号 {ticket['number']}"), chat.history()


def test_a_quote_asked_in_traditional_while_a_complaint_asks_its_category(stack) -> None:
    chat = Chat(stack, "sw-complaint-tw")
    assert tw("哪方面") in chat.say("我要投訴"), chat.history()
    shown = chat.say("寄3公斤從上海到北京要幾多錢")
    assert tw("投诉登记先停下了") in shown and tw("合计：¥") in shown, chat.history()
    assert slots_of(stack, chat.sender)["complaint_category"] is None


def test_a_complaint_told_like_a_tracking_question_is_kept_as_the_story(stack) -> None:
    chat = Chat(stack, "sw-story")
    chat.say("我要投诉")
    assert "具体经过" in chat.say("延误"), chat.history()
    shown = chat.say("我的快递到底到哪了，五天都没更新")
    assert "先停下了" not in shown and ("联系电话" in shown or "单号" in shown), chat.history()
    assert "五天" in (slots_of(stack, chat.sender)["complaint_description"] or "")
