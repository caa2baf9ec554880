"""The survey after a finished request, end to end: skipped, answered in Traditional, or left for a new request."""

from __future__ import annotations

import pytest

from tests.e2e.flows2_chat import Backend, Chat, first, fresh_phone, tw

pytestmark = pytest.mark.e2e


def _file_complaint(chat: Chat, phone: str) -> str:
    chat.say("我要投诉")
    chat.say("延误")
    chat.say("五天了还在路上")
    chat.say("没有")
    chat.say(phone)
    shown = chat.say("确认")
    assert "打个分" in shown, chat.history()
    return first(r"CP\d{12}", shown)


def test_the_survey_can_be_skipped_and_nothing_is_stored(stack) -> None:
    chat, backend = Chat(stack, "rate-skip"), Backend(stack)
    _file_complaint(chat, fresh_phone())
    assert "不打扰" in chat.say("不用了"), chat.history()
    assert backend.ratings_of(chat.sender) == []


def test_a_traditional_answer_in_words_is_stored(stack) -> None:
    chat, backend = Chat(stack, "rate-tw"), Backend(stack)
    chat.say("我要投訴")
    chat.say("延誤")
    chat.say("五天了還在路上")
    chat.say("沒有")
    chat.say(fresh_phone())
    number = first(r"CP\d{12}", chat.say("確認"))
    assert tw("感谢您的好评") in chat.say("非常滿意"), chat.history()
    assert backend.ratings_of(chat.sender) == [(5, number)]


def test_a_new_request_instead_of_a_rating_is_served(stack) -> None:
    chat, backend = Chat(stack, "rate-move-on"), Backend(stack)
    phone = fresh_phone()
    number = _file_complaint(chat, phone)
    shown = chat.say(f"投诉单{number}处理到哪了")
    assert number in shown and "当前进度" in shown, chat.history()
    assert backend.ratings_of(chat.sender) == []


def test_a_low_score_gets_an_apology_and_is_stored(stack) -> None:
    chat, backend = Chat(stack, "rate-low"), Backend(stack)
    number = _file_complaint(chat, fresh_phone())
    assert "抱歉" in chat.say("2"), chat.history()
    assert backend.ratings_of(chat.sender) == [(2, number)]
