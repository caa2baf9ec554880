"""催件 end to end (Rasa + actions + backend): typed or tapped on the tracking card, a late parcel gets one
follow-up for its delivery outlet with a due time; a parcel on time or delivered gets an answer and no record.

Needs a model trained with the hurry_parcel intent (COURIER_E2E_MODEL points at one while the shared model is
older)."""

from __future__ import annotations

import re

import pytest

from actions.tracking_card import hurry_payload
from tests.e2e.flows2_chat import Backend, Chat, tw

pytestmark = pytest.mark.e2e

DUE = re.compile(r"最晚 \d{1,2}月\d{1,2}日 \d{2}:\d{2} 前")


def _open_for(stack, number: str) -> list[dict]:
    return [item for item in Backend(stack).get("/follow-ups")["items"] if item["tracking_number"] == number]


def test_typed_after_tracking_a_late_parcel_it_is_recorded_once(stack) -> None:
    chat = Chat(stack, "hurry-text")
    shown = chat.say("ZT100000000003到哪了")
    assert "延误" in shown and "催一下" in shown, chat.history()
    shown = chat.say("帮我催一下")
    assert "ZT100000000003" in shown and "杭州营业部" in shown and DUE.search(shown), chat.history()
    assert len(_open_for(stack, "ZT100000000003")) == 1
    shown = chat.say("怎么还没到，快点")
    assert "已经在加急跟进中" in shown and "无需重复催件" in shown, chat.history()
    assert len(_open_for(stack, "ZT100000000003")) == 1, "a repeated 催件 must not add a second follow-up"


def test_the_cards_button_hurries_the_parcel_it_names(stack) -> None:
    chat = Chat(stack, "hurry-button")
    replies = stack.rest_turn(chat.sender, "查一下 ZT100000000005")
    card = next(reply["custom"] for reply in replies if isinstance(reply.get("custom"), dict))
    assert card["type"] == "tracking_card" and card["late"] is True
    button = next(action for action in card["actions"] if action["title"] == "催件")
    assert button["payload"] == hurry_payload("ZT100000000005")
    shown = chat.say(button["payload"])
    assert "ZT100000000005" in shown and "西安营业部" in shown and DUE.search(shown), chat.history()
    assert len(_open_for(stack, "ZT100000000005")) == 1


def test_a_parcel_on_time_or_delivered_is_answered_without_a_record(stack) -> None:
    chat = Chat(stack, "hurry-no")
    shown = chat.say("催一下 ZT100000000004")
    assert "正常时效内" in shown and "已为您催件" not in shown, chat.history()
    shown = chat.say("ZT100000000002 帮我催下件")
    assert "已经签收" in shown, chat.history()
    assert not _open_for(stack, "ZT100000000004") and not _open_for(stack, "ZT100000000002")


def test_traditional_without_a_number_is_asked_then_hurried_in_traditional(stack) -> None:
    chat = Chat(stack, "hurry-tw")
    shown = chat.say("幫我催一下件")
    assert tw("哪个快递") in shown and "快递" not in shown, chat.history()
    late = Backend(stack).get("/parcels/ZT100000000008")["is_delayed"]
    shown = chat.say("ZT100000000008")  # the number asked for hurries that parcel
    assert "ZT100000000008" in shown, chat.history()
    assert tw("已经在加急跟进中" if late and _open_for(stack, "ZT100000000008") else
              "已为您催件" if late else "正常时效内") in shown, chat.history()
