"""The pickup form listens: every detail in a message fills its own slot, in any order, even unasked."""

from __future__ import annotations

from actions.pickups import ActionAskPickupConfirmed, ValidatePickupForm
from tests.actions.action_helpers import entity, make_tracker, run, slot_events, texts, user

EVERYTHING = ("后天上午10点到12点来取件，寄两箱茶叶去成都，地址广州市天河区体育西路1号，电话13900001111，我姓李")
FILLED = {
    "sender_name": "王小明", "sender_phone": "13912345678", "pickup_address": "杭州市西湖区文三路100号",
    "destination": "北京", "item": "衣服", "time_window": "明天上午",
}


def turn(text: str, requested: str | None, slots: dict | None = None, intent: str = "inform",
         entities: list | None = None):
    tracker = make_tracker(slots={"requested_slot": requested, **(slots or {})}, latest=user(text, intent, entities),
                           active_loop="pickup_form" if requested else None)
    messages, events = run(ValidatePickupForm(), tracker)
    return texts(messages), slot_events(events)


def test_everything_in_the_first_message_fills_every_slot() -> None:
    shown, slots = turn(EVERYTHING, None, intent="schedule_pickup")
    assert slots == {
        "sender_name": "李先生/女士", "sender_phone": "13900001111", "pickup_address": "广州市天河区体育西路1号",
        "destination": "成都", "item": "两箱茶叶", "time_window": "后天上午10点到12点",
    }
    assert shown == ""  # nothing to refuse: the form goes straight to the summary


def test_the_same_message_in_traditional_script() -> None:
    text = "後天上午10點到12點來取件，寄兩箱茶葉去成都，地址廣州市天河區體育西路1號，電話13900001111，我姓李"
    _, slots = turn(text, None, intent="schedule_pickup")
    assert slots["destination"] == "成都" and slots["sender_phone"] == "13900001111"
    assert slots["pickup_address"] == "广州市天河区体育西路1号" and slots["time_window"] == "后天上午10点到12点"
    assert slots["sender_name"] == "李先生/女士" and slots["item"] == "两箱茶叶"


def test_a_time_given_for_the_name_is_the_time_window_and_the_name_is_asked_again() -> None:
    shown, slots = turn("明天下午", "sender_name")
    assert slots.get("sender_name") is None and slots["time_window"] == "明天下午"
    assert "已记下" in shown and "明天下午" in shown


def test_an_address_given_for_the_phone_is_kept_and_the_phone_asked_again() -> None:
    shown, slots = turn("杭州市西湖区文三路100号", "sender_phone", {"sender_name": "王小明"})
    assert slots["pickup_address"] == "杭州市西湖区文三路100号" and slots.get("sender_phone") is None
    assert "手机号好像" not in shown and "取件地址" in shown


def test_the_address_city_is_not_the_destination_but_a_cue_makes_one() -> None:
    _, slots = turn("北京市朝阳区建国路88号，寄到上海", "pickup_address", {"sender_name": "王小明"})
    assert slots["pickup_address"] == "北京市朝阳区建国路88号" and slots["destination"] == "上海"


def test_polite_forms_of_address() -> None:
    assert turn("我姓李，女士", "sender_name")[1]["sender_name"] == "李女士"
    assert turn("李先生", "sender_name")[1]["sender_name"] == "李先生"
    assert turn("王小明", "sender_name")[1]["sender_name"] == "王小明"
    assert turn("免贵姓欧阳", "sender_name")[1]["sender_name"] == "欧阳先生/女士"


def test_a_phone_and_a_name_in_one_answer() -> None:
    _, slots = turn("我叫张三，手机13812345678", "sender_name")
    assert slots["sender_name"] == "张三" and slots["sender_phone"] == "13812345678"


def test_an_unasked_detail_does_not_overwrite_an_earlier_answer() -> None:
    _, slots = turn("寄一箱书，明天要用", "item", {**FILLED, "item": None, "time_window": "后天上午"})
    assert slots["item"] == "一箱书" and "time_window" not in slots


def test_a_correction_at_the_summary_changes_only_that_field() -> None:
    shown, slots = turn("电话写错了，是13900002222", "pickup_confirmed", FILLED)
    assert slots["sender_phone"] == "13900002222" and slots["pickup_confirmed"] is None
    assert "电话已更新" in shown
    assert {k: v for k, v in slots.items() if k in FILLED and v != FILLED[k]} == {"sender_phone": "13900002222"}
    shown, slots = turn("时间改成后天下午", "pickup_confirmed", FILLED)
    assert slots["time_window"] == "后天下午" and "上门时间已更新" in shown
    assert {k: v for k, v in slots.items() if k in FILLED and v != FILLED[k]} == {"time_window": "后天下午"}


def test_confirming_changes_nothing() -> None:
    _, slots = turn("确认", "pickup_confirmed", FILLED, intent="affirm")
    assert slots["pickup_confirmed"] is True
    assert all(slots.get(k, v) == v for k, v in FILLED.items())


def test_the_summary_shows_the_day_the_window_falls_on() -> None:
    messages, _ = run(ActionAskPickupConfirmed(), make_tracker(slots={**FILLED, "time_window": "明天上午9点到11点"}))
    shown = texts(messages)
    assert "明天上午9点到11点（" in shown and "9:00-11:00" in shown and "日周" in shown


def test_a_bare_name_with_a_phone_when_the_name_was_asked() -> None:
    _, slots = turn("张三，13812345678", "sender_name")
    assert slots["sender_name"] == "张三" and slots["sender_phone"] == "13812345678"


def test_the_whole_item_answer_is_kept_when_the_item_was_asked() -> None:
    text = "一箱書"
    _, slots = turn(text, "item", FILLED | {"item": None}, entities=[entity("item", "書", text)])
    assert slots["item"] == "一箱书"  # not the NLU's "书"


def test_the_whole_time_answer_is_kept_when_the_time_was_asked() -> None:
    _, slots = turn("周一到周五都行", "time_window", FILLED | {"time_window": None})
    assert slots["time_window"] == "周一到周五都行"
