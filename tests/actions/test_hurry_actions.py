"""催件 against the real backend: a late parcel gets one follow-up with a due time, asked again it is the same
one; a delivered or on-time parcel gets an answer and no record; without a number the number is asked for."""

from __future__ import annotations

import uuid

from actions.hurry import ActionHurryParcel
from actions.tracking_card import hurry_payload
from bot.backend.seed import DEMO_PARCELS
from bot.clients.backend import BackendClient
from tests.actions.action_helpers import entity, make_tracker, run, slot_events, texts, user

BY_STATUS = {p.status: p for p in reversed(DEMO_PARCELS)}


def hurry(text: str, numbers: list[str] | None = None, slots: dict | None = None) -> tuple[list, list]:
    message = user(text, "hurry_parcel", [entity("tracking_number", n, text) for n in numbers or []])
    return run(ActionHurryParcel(), make_tracker(slots=slots, latest=message, sender=f"web-{uuid.uuid4().hex[:8]}"))


def test_the_card_button_hurries_a_late_parcel_once(client: BackendClient) -> None:
    late = BY_STATUS["exception"].number
    messages, events = hurry(hurry_payload(late), [late])
    first = texts(messages)
    assert late in first and "营业部" in first and "前" in first
    assert "已为您催件" in first or "已经在加急跟进中" in first
    assert slot_events(events) == {"tracking_number": late, "awaiting_hurry_number": False}
    again, _ = hurry("怎么还没到，快点", slots={"tracking_number": late})  # the parcel the chat tracked
    assert "已经在加急跟进中" in texts(again) and "无需重复催件" in texts(again)


def test_a_delivered_parcel_is_not_hurried(client: BackendClient) -> None:
    delivered = BY_STATUS["delivered"].number
    messages, _ = hurry(f"帮我催一下 {delivered}", [delivered])
    assert "已经签收" in texts(messages) and "已为您催件" not in texts(messages)


def test_a_parcel_on_time_is_not_hurried(client: BackendClient) -> None:
    on_time = BY_STATUS["out_for_delivery"].number
    messages, _ = hurry(f"催一下{on_time}", [on_time])
    assert "正常时效内" in texts(messages) and "预计" in texts(messages)


def test_without_a_number_it_is_asked_for(client: BackendClient) -> None:
    messages, events = hurry("帮我催一下")
    assert "哪个快递" in texts(messages)
    assert slot_events(events) == {"awaiting_hurry_number": True}


def test_an_unknown_number_is_said_politely(client: BackendClient) -> None:
    messages, events = hurry("催一下 ZT999999999999", ["ZT999999999999"])
    assert "没有查到单号 ZT999999999999" in texts(messages)
    assert slot_events(events) == {"awaiting_hurry_number": False}


def test_a_backend_outage_is_an_apology(dead_client: BackendClient) -> None:
    messages, _ = hurry("催一下 ZT100000000003", ["ZT100000000003"])
    assert "系统暂时繁忙" in texts(messages)
