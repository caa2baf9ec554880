"""Parcel notices: a chat subscribes; key nodes recorded by the backend are pushed to it through Rasa's
trigger_intent API on the chat's own channel, with retries when Rasa does not answer."""

from __future__ import annotations

import time
import uuid

import pytest

from .helpers import assert_error


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail("condition not reached in time")


def _new_parcel(backend):
    booking = {"sender_name": "赵先生", "sender_phone": "13811119999", "pickup_address": "武汉市江汉路1号",
               "origin": "武汉", "destination": "长沙", "item": "书", "time_window": "今天下午"}
    return backend.post("/pickups", json=booking).json()["tracking_number"]


def test_subscribed_chat_receives_key_nodes(backend, rasa_receiver):
    number = _new_parcel(backend)
    chat = f"web-{uuid.uuid4().hex[:8]}"
    response = backend.post(f"/parcels/{number}/subscriptions", json={"conversation_id": chat, "channel": "socketio"})
    assert response.status_code == 201 and response.json()["notify_on"]
    again = backend.post(f"/parcels/{number}/subscriptions", json={"conversation_id": chat, "channel": "socketio"})
    assert again.json()["subscription_id"] == response.json()["subscription_id"]

    statuses = []
    for _ in range(5):  # pickup_scheduled → collected → in_transit → at_hub → out_for_delivery → delivered
        body = backend.post(f"/parcels/{number}/advance").json()
        statuses.append(body["event"]["status"])
    assert statuses == ["collected", "in_transit", "at_hub", "out_for_delivery", "delivered"]
    assert backend.get(f"/parcels/{number}").json()["status"] == "delivered"
    assert_error(backend.post(f"/parcels/{number}/advance"), 409, "parcel_final")

    def mine():
        calls = [call for call in rasa_receiver.calls if f"/conversations/{chat}/" in call["path"]]
        return calls if len(calls) >= 2 else None

    calls = _wait_for(mine)
    assert [call["body"]["entities"]["parcel_status"] for call in calls] == ["out_for_delivery", "delivered"]
    assert all("output_channel=socketio" in call["path"] for call in calls)
    assert all(call["body"]["name"] == "EXTERNAL_parcel_update" for call in calls)
    assert calls[0]["body"]["entities"]["tracking_number"] == number

    # Rasa has the second notice before the worker records its answer: wait for the record too.
    def both_delivered():
        items = backend.get("/notices", params={"tracking_number": number, "state": "delivered"}).json()["items"]
        return items if len(items) == 2 else None

    assert len(_wait_for(both_delivered)) == 2


def test_notice_is_retried_until_rasa_accepts(backend, rasa_receiver):
    number = _new_parcel(backend)
    chat = f"wx-{uuid.uuid4().hex[:8]}"
    backend.post(f"/parcels/{number}/subscriptions", json={"conversation_id": chat, "channel": "wechat"})
    rasa_receiver.status = 500
    try:
        backend.post(f"/parcels/{number}/events", json={"status": "exception", "city": "武汉",
                                                        "description": "收件地址不详，正在联系收件人"})
        _wait_for(lambda: any(f"/conversations/{chat}/" in c["path"] for c in rasa_receiver.calls))
        pending = backend.get("/notices", params={"tracking_number": number}).json()["items"][0]
        assert pending["state"] == "pending" and pending["last_error"] == "HTTP 500"
    finally:
        rasa_receiver.status = 200
    _wait_for(lambda: backend.get("/notices", params={"tracking_number": number, "state": "delivered"}).json()["items"])
    accepted = [c for c in rasa_receiver.calls if f"/conversations/{chat}/" in c["path"] and c["answered"] == 200]
    assert accepted[0]["body"]["entities"]["parcel_event"] == "收件地址不详，正在联系收件人"


def test_unsubscribed_parcels_and_bad_events(backend):
    number = _new_parcel(backend)
    body = backend.post(f"/parcels/{number}/events", json={"status": "collected", "city": "武汉"}).json()
    assert body["notices_queued"] == 0
    assert_error(backend.post(f"/parcels/{number}/events", json={"status": "teleported"}), 422)
    assert_error(backend.post(f"/parcels/{number}/events", json={"status": "in_transit", "city": "火星"}), 422,
                 "unknown_city")
    assert_error(backend.post(f"/parcels/{number}/subscriptions", json={"conversation_id": "x", "channel": "a b"}),
                 422)
    assert_error(backend.post("/parcels/ZT999999999997/subscriptions",
                              json={"conversation_id": "x", "channel": "socketio"}), 404, "parcel_not_found")
