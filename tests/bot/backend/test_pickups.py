"""Pickups: prohibited items refused with a reason, new ZT number, fee from the quote service."""

from __future__ import annotations

import re
import uuid

from .helpers import assert_error

BOOKING = {"sender_name": "王女士", "sender_phone": "139 0000 1234", "pickup_address": "杭州市西湖区文三路100号",
           "origin": "杭州", "destination": "北京", "item": "衣服和书", "time_window": "明天 09:00-12:00",
           "weight_kg": "2.5"}


def test_booking_returns_tracking_number_and_fee(backend):
    response = backend.post("/pickups", json=BOOKING)
    assert response.status_code == 201, response.text
    body = response.json()
    assert re.fullmatch(r"ZT\d{12}", body["tracking_number"])
    assert body["pickup_id"].startswith("PU")
    assert body["time_window"] == BOOKING["time_window"]
    quote = backend.post("/quotes", json={"origin": "杭州", "destination": "北京", "weight_kg": "2.5"}).json()
    assert body["estimated_fee_fen"] == quote["total_fen"]
    parcel = backend.get(f"/parcels/{body['tracking_number']}").json()
    assert parcel["status"] == "pickup_scheduled"
    assert parcel["origin_city"] == "杭州"
    second = backend.post("/pickups", json=BOOKING).json()
    assert second["tracking_number"] != body["tracking_number"]


def test_prohibited_items_are_refused_with_reason(backend):
    for item in ("一桶汽油", "烟花爆竹", "管制刀具", "一只活猫", "農藥"):
        detail = assert_error(backend.post("/pickups", json={**BOOKING, "item": item}), 422, "prohibited_item")
        assert detail["reason"] and "禁寄" in detail["reason"]


def test_pickup_validation(backend):
    assert_error(backend.post("/pickups", json={**BOOKING, "sender_phone": "12345"}), 422, "invalid_request")
    assert_error(backend.post("/pickups", json={**BOOKING, "destination": "亚特兰蒂斯"}), 422, "unknown_city")
    body = {key: value for key, value in BOOKING.items() if key != "item"}
    assert_error(backend.post("/pickups", json=body), 422, "invalid_request")


def test_special_cargo_pickup_has_quote_request_instead_of_fee(backend):
    response = backend.post("/pickups", json={**BOOKING, "weight_kg": 80, "item": "机器零件"})
    assert response.status_code == 201
    body = response.json()
    assert body["estimated_fee_fen"] is None
    assert body["quote_request"]["number"].startswith("QR")


def test_pickup_is_idempotent(backend):
    key = str(uuid.uuid4())
    first = backend.post("/pickups", json=BOOKING, headers={"Idempotency-Key": key})
    again = backend.post("/pickups", json=BOOKING, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    changed = backend.post("/pickups", json={**BOOKING, "item": "鞋"}, headers={"Idempotency-Key": key})
    assert_error(changed, 409, "idempotency_key_reused")
