"""Shared behaviour end to end: greeting, out-of-scope, cancelling with nothing open, a down backend."""

from __future__ import annotations

import pytest

from tests.e2e.flows2_chat import Chat, tw

pytestmark = pytest.mark.e2e


def test_greeting_says_what_the_assistant_can_do(stack) -> None:
    shown = Chat(stack, "fm-greet").say("你好")
    assert "查快递" in shown and "算运费" in shown and "上门取件" in shown


def test_out_of_scope_is_short_polite_and_lists_what_it_can_do(stack) -> None:
    shown = Chat(stack, "fm-oos").say("今天天气怎么样")
    assert "查快递" in shown and len(shown) < 120


def test_cancel_with_nothing_open(stack) -> None:
    chat = Chat(stack, "fm-cancel")
    chat.say("你好")
    assert "没问题" in chat.say("算了"), chat.history()


def test_traditional_cancel_mid_quote(stack) -> None:
    chat = Chat(stack, "fm-tw-cancel")
    chat.say("寄到北京多少錢")
    shown = chat.say("算了，不用了")
    assert tw("已为您取消") in shown, chat.history()
