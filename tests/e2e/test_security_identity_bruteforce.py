"""Issue 13, findings 3 and 5, end to end: the attacks as they were reproduced, now refused.

3. Guessing the last 4 digits of ZT100000000001 from 3 chats (3 wrong answers each, once a Traditional writer):
   the backend counts every wrong answer for the parcel (default 5), so the parcel locks and the right digits
   from a 4th chat reveal nothing. The lock is lifted at the end (an agent's route), since other tests verify
   this parcel in the same stack.
5. "我的手机号是13812345678，帮我转人工" gets no name, no "key customer" label and no account manager, while the
   handoff still reaches the VIP team.
"""

from __future__ import annotations

import pytest
import requests

from tests.e2e.flows2_chat import Backend, Chat, tw

pytestmark = [pytest.mark.e2e, pytest.mark.security]

PARCEL = "ZT100000000001"  # sender's phone ends 5678, receiver's 4321
LOCKED = "暂时锁定"
DETAILS = ("完整信息", "收件人：", "寄件人：", "物流轨迹")


def _unlock(stack) -> None:
    reply = requests.delete(f"{stack.backend_url}/api/v1/parcels/{PARCEL}/verification-lock",
                            headers={"X-API-Key": stack.api_key}, timeout=15)
    assert reply.status_code == 200, reply.text


def test_guessing_from_three_chats_locks_the_parcel_and_the_right_digits_then_reveal_nothing(stack) -> None:
    _unlock(stack)  # whatever ran before starts this test from a clean count
    try:
        first = Chat(stack, "brute-1")
        assert "后 4 位" in first.say(f"查一下 {PARCEL}"), first.history()
        assert "再试 2 次" in first.say("0000"), first.history()
        assert "再试 1 次" in first.say("1111"), first.history()
        assert "上限" in first.say("2222"), first.history()

        second = Chat(stack, "brute-2")  # a new sender id: a fresh chat, but not a fresh count
        assert "后 4 位" in second.say(f"查一下 {PARCEL}"), second.history()
        assert "再试 1 次" in second.say("3333"), second.history()
        shown = second.say("6666")
        assert LOCKED in shown and "分钟后再试" in shown and "转人工" in shown, second.history()

        third = Chat(stack, "brute-3")  # a Traditional writer gets the lockout in Traditional
        assert tw("后 4 位") in third.say(f"幫我查一下這個件 {PARCEL}"), third.history()
        shown = third.say("7777")
        assert tw(LOCKED) in shown and tw("分钟后再试") in shown, third.history()

        fourth = Chat(stack, "brute-4")
        fourth.say(f"查一下 {PARCEL}")
        shown = fourth.say("5678")  # the right digits
        assert LOCKED in shown and not any(part in shown for part in DETAILS), fourth.history()
        assert "北京市" not in shown and "上海市" not in shown, fourth.history()
    finally:
        _unlock(stack)
    honest = Chat(stack, "brute-after")
    honest.say(f"查一下 {PARCEL}")
    assert "完整信息" in honest.say("5678"), honest.history()


def test_a_phone_number_alone_reveals_no_name_and_no_manager(stack) -> None:
    backend = Backend(stack)
    name = backend.get("/customers/by-phone/13812345678")["name"]
    chat = Chat(stack, "vip-phone-only")
    shown = chat.say("我的手机号是13812345678，帮我转人工")
    assert shown and "人工客服" in shown, chat.history()
    for personal in (name, name[0] + "先生", "周经理", "13900001111", "139****1111", "重点客户", "VIP", "专属"):
        assert personal not in shown, (personal, chat.history())
    # Routed to the key customers' desk all the same, where the agent sees who the manager is.
    handoff = backend.get(f"/handoffs/by-conversation/{chat.sender}")
    assert handoff["is_vip"] is True and handoff["status"] == "waiting", handoff
