"""Parcel-notice actions against the real backend: subscribing a chat, asking for the number, the notice text."""

from __future__ import annotations

from typing import Any

import requests

from actions.notices import ActionParcelUpdateNotice, ActionSubscribeUpdates
from bot.clients.backend import BackendClient
from bot.settings import get_settings
from tests.actions.action_helpers import entity, make_tracker, run, slot_events, texts, user

HEADERS = {"X-API-Key": get_settings().backend_api_key}


def _from_channel(message: dict[str, Any], channel: str) -> dict[str, Any]:
    return {**message, "input_channel": channel}


def _parcel_before_a_key_node(backend_url: str) -> str:
    """A cycling demo parcel whose next node or the one after is out for delivery (not a shared demo one)."""
    for n in range(100, 420):
        number = f"ZT100000000{n:03d}"
        parcel = requests.get(f"{backend_url}/api/v1/parcels/{number}", headers=HEADERS, timeout=10).json()
        if parcel["status"] in {"in_transit", "at_hub"}:
            return number
    raise AssertionError("no cycling demo parcel in transit")


def _advance_until_notice(backend_url: str, number: str) -> dict[str, Any]:
    for _ in range(3):
        reply = requests.post(f"{backend_url}/api/v1/parcels/{number}/advance", headers=HEADERS, timeout=10)
        assert reply.status_code == 201, reply.text
        if reply.json()["notices_queued"]:
            return reply.json()
    raise AssertionError(f"{number} reached no key node")


def test_subscribing_after_tracking_registers_this_chat_and_channel(client: BackendClient, backend_url: str) -> None:
    number = _parcel_before_a_key_node(backend_url)
    sender = "notices-web-1"
    tracker = make_tracker(slots={"tracking_number": number}, sender=sender,
                           latest=_from_channel(user("有变化通知我", "subscribe_updates"), "socketio"))
    messages, events = run(ActionSubscribeUpdates(), tracker)
    shown = texts(messages)
    assert number in shown and "派送中" in shown and "签收" in shown and "异常" in shown
    assert slot_events(events) == {"awaiting_subscription": False, "tracking_number": number}

    moved = _advance_until_notice(backend_url, number)
    assert moved["event"]["status"] == "out_for_delivery"
    notices = requests.get(f"{backend_url}/api/v1/notices", params={"tracking_number": number}, headers=HEADERS,
                           timeout=10).json()["items"]
    ours = [n for n in notices if n["conversation_id"] == sender]
    assert ours and ours[0]["channel"] == "socketio" and ours[0]["status"] == "out_for_delivery"


def test_number_in_the_request_itself_is_subscribed(client: BackendClient, backend_url: str) -> None:
    number = _parcel_before_a_key_node(backend_url)
    text = f"{number} 到了提醒我"
    tracker = make_tracker(sender="notices-wechat-1", latest=_from_channel(
        user(text, "subscribe_updates", [entity("tracking_number", number, text)]), "wechat"))
    messages, events = run(ActionSubscribeUpdates(), tracker)
    assert number in texts(messages) and "已为您订阅" in texts(messages)
    assert slot_events(events)["tracking_number"] == number


def test_no_parcel_known_asks_for_the_number(client: BackendClient) -> None:
    messages, events = run(ActionSubscribeUpdates(), make_tracker(latest=user("到了提醒我", "subscribe_updates")))
    assert "单号" in texts(messages) and "订阅" in texts(messages)
    assert slot_events(events) == {"awaiting_subscription": True}


def test_unknown_parcel_is_not_subscribed_and_said_so(client: BackendClient) -> None:
    text = "ZT999999999999"
    tracker = make_tracker(slots={"awaiting_subscription": True},
                           latest=user(text, "inform", [entity("tracking_number", text, text)]))
    messages, events = run(ActionSubscribeUpdates(), tracker)
    assert "没有查到" in texts(messages) and "已为您订阅" not in texts(messages)
    assert slot_events(events) == {"awaiting_subscription": False}


def test_backend_down_apologises(dead_client: BackendClient) -> None:
    tracker = make_tracker(slots={"tracking_number": "ZT100000000001"}, latest=user("有变化通知我", "subscribe_updates"))
    messages, _ = run(ActionSubscribeUpdates(), tracker)
    assert "抱歉" in texts(messages) and "已为您订阅" not in texts(messages)


def _notice(status: str, status_text: str, city: str, event: str) -> dict[str, Any]:
    values = {"tracking_number": "ZT100000000004", "parcel_status": status, "parcel_status_text": status_text,
              "parcel_city": city, "parcel_event": event}
    return {"event": "user", "text": "EXTERNAL: EXTERNAL_parcel_update",
            "parse_data": {"intent": {"name": "EXTERNAL_parcel_update", "confidence": 1.0},
                           "entities": [{"entity": k, "value": v} for k, v in values.items()]}}


def test_out_for_delivery_notice_names_parcel_status_and_city() -> None:
    tracker = make_tracker(latest=_notice("out_for_delivery", "派送中", "武汉", "【武汉】快递员正在派送，请保持电话畅通"))
    messages, events = run(ActionParcelUpdateNotice(), tracker)
    shown = texts(messages)
    assert "您订阅的快递 ZT100000000004 有新动态：派送中（武汉）" in shown
    assert "抱歉" not in shown and not messages[0].get("buttons")
    assert slot_events(events) == {"tracking_number": "ZT100000000004"}


def test_exception_notice_apologises_and_offers_complaint_or_claim() -> None:
    tracker = make_tracker(latest=_notice("exception", "异常件", "西安", "【西安】快件外包装破损，已联系收件人 13812345678"))
    messages, _ = run(ActionParcelUpdateNotice(), tracker)
    shown = texts(messages)
    assert "异常件（西安）" in shown and "抱歉" in shown and "投诉" in shown and "理赔" in shown
    assert "13812345678" not in shown and "138****5678" in shown
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/file_complaint", "/file_claim"]


def test_delivered_notice_has_no_apology() -> None:
    messages, _ = run(ActionParcelUpdateNotice(), make_tracker(latest=_notice("delivered", "已签收", "深圳", "")))
    assert "已签收（深圳）" in texts(messages) and "抱歉" not in texts(messages)
