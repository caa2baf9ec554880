"""The survey after a finished request, end to end: skipped, answered in Traditional, or left for a new request."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

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


def _comments_of(stack, conversation_id: str) -> list[str | None]:
    engine = create_engine(os.environ.get("DATABASE_URL") or f"sqlite:///{stack.var_dir / 'courier.db'}", future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT comment FROM ratings WHERE conversation_id = :c ORDER BY id"),
                                      {"c": conversation_id}).all()
    finally:
        engine.dispose()
    return [row[0] for row in rows]


def test_a_low_score_asks_what_went_wrong_and_stores_the_comment(stack) -> None:
    chat, backend = Chat(stack, "rate-low"), Backend(stack)
    number = _file_complaint(chat, fresh_phone())
    asked = chat.say("2")
    assert "抱歉" in asked and "哪里做得不好" in asked, chat.history()
    assert backend.ratings_of(chat.sender) == []  # stored once the customer said what went wrong
    # What went wrong is the comment, not a new complaint.
    thanks = chat.say("快递员态度很差，电话也不接")
    assert "记录" in thanks and "投诉类别" not in thanks, chat.history()
    assert backend.ratings_of(chat.sender) == [(2, number)]
    assert _comments_of(stack, chat.sender) == ["快递员态度很差，电话也不接"]


def test_a_traditional_low_score_is_asked_in_traditional_and_may_skip_the_comment(stack) -> None:
    chat, backend = Chat(stack, "rate-low-tw"), Backend(stack)
    chat.say("我要投訴")
    chat.say("延誤")
    chat.say("五天了還在路上")
    chat.say("沒有")
    chat.say(fresh_phone())
    number = first(r"CP\d{12}", chat.say("確認"))
    asked = chat.say("1")
    assert tw("哪里做得不好") in asked and "[不用了]" in asked, chat.history()
    assert tw("不打扰") not in chat.say("不用了"), chat.history()
    assert backend.ratings_of(chat.sender) == [(1, number)], chat.history()
    assert _comments_of(stack, chat.sender) == [None]
