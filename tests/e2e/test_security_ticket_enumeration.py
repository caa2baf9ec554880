"""Ticket numbers cannot be used to read other people's cases (issue 13, finding 4), end to end.

The attack from the issue: guessing dated numbers (CP + day + sequence) in one chat showed strangers'
complaint categories, due times, a claim's approved amount and payout date. Now a number alone shows only that
the ticket exists and its stage, the chat is stopped after a few look-ups, and the details need the last 4
digits of the phone the ticket was filed with.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.flows2_chat import Chat, tw

pytestmark = [pytest.mark.e2e, pytest.mark.security]

# What the stage-only answer must never show: categories, descriptions, due times, amounts, payout dates.
PERSONAL = ("快件延误", "快件破损", "服务态度", "延误）", "破损）", "丢失）", "少件）", "描述", "最晚响应时间",
            "¥", "赔付金额", "前完成赔付", "已于", "最高可赔", "照片凭证", "快递员", "压坏", "驿站", "****")


def _rows(stack: Any, query: str) -> list[Any]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{stack.var_dir / 'courier.db'}"
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return connection.execute(text(query)).all()
    finally:
        engine.dispose()


def _assert_nothing_personal(shown: str, chat: Chat) -> None:
    leaked = [word for word in PERSONAL if word in shown]
    assert not leaked, (leaked, chat.history())


def test_eight_guessed_numbers_in_one_chat_reveal_nothing_and_are_stopped(stack) -> None:
    # The attacker's guesses: the seeded (old, dated) numbers of one day and their neighbours.
    seeded = [number for (number,) in _rows(stack, "SELECT number FROM complaints WHERE number LIKE 'CP2%' "
                                                   "ORDER BY number LIMIT 1")]
    day = seeded[0][:10]
    guesses = [f"{day}{seq:03d}" for seq in range(1, 9)]
    chat = Chat(stack, "guesser")
    answers = [chat.say(f"查一下投诉单{number}") for number in guesses]
    for shown in answers:
        _assert_nothing_personal(shown, chat)
    assert any("目前的进度" in shown for shown in answers[:6]), chat.history()  # at least one guess existed
    for shown in answers[6:]:
        assert "次数有点多" in shown and "分钟后再试" in shown, chat.history()
        assert not any(number in shown for number in guesses), chat.history()
    # The new numbers of today's tickets share nothing with the date or with each other's sequence.
    fresh = [number for (number,) in _rows(stack, "SELECT number FROM complaints WHERE number NOT LIKE 'CP2%'")]
    assert all(len(number) == 14 and number[2] in "3456789" for number in fresh)


def test_a_seeded_strangers_claim_number_shows_the_stage_and_the_right_digits_the_details(stack) -> None:
    [(number, phone)] = _rows(stack, "SELECT number, contact_phone FROM claims WHERE stage = 'approved' "
                                     "AND number LIKE 'CL2%' ORDER BY id LIMIT 1")
    chat = Chat(stack, "stranger")
    shown = chat.say(f"我的理賠單{number}怎麼樣了")
    assert number in shown and tw("已核准") in shown and tw("后 4 位") in shown, chat.history()
    _assert_nothing_personal(shown, chat)
    wrong = "0000" if phone[-4:] != "0000" else "1111"
    shown = chat.say(wrong)
    assert tw("没有对上") in shown and tw("再试") in shown, chat.history()
    _assert_nothing_personal(shown, chat)
    shown = chat.say(phone[-4:])
    assert number in shown and "¥" in shown and tw("前完成赔付") in shown, chat.history()
