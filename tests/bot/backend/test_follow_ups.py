"""催件: POST /parcels/{n}/follow-ups records one follow-up per late parcel for its delivery outlet, with a due
time inside the outlet's working hours; delivered and on-time parcels get an answer and no record."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests

from bot.backend.services.follow_ups import due_time
from bot.settings import get_settings

from .helpers import assert_error

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _hurry(backend, number: str, chat: str | None = None, **body) -> requests.Response:
    return backend.post(f"/parcels/{number}/follow-ups", json={"conversation_id": chat or f"web-{uuid.uuid4().hex[:8]}",
                                                               "channel": "socketio", **body})


def test_the_route_needs_the_api_key(backend):
    url = backend.url("/parcels/ZT100000000003/follow-ups")
    assert_error(requests.post(url, json={}, timeout=5), 401, "unauthorized")
    assert_error(requests.post(url, json={}, headers={"X-API-Key": "wrong"}, timeout=5), 401, "unauthorized")
    assert_error(requests.get(backend.url("/follow-ups"), timeout=5), 401, "unauthorized")


def test_bad_input_is_a_polite_4xx(backend):
    assert_error(_hurry(backend, "ZT12"), 422, "invalid_tracking_number")
    assert_error(_hurry(backend, "ZT999999999999"), 404, "parcel_not_found")
    assert_error(_hurry(backend, "ZT100000000003", chat="x" * 129), 422)
    assert_error(_hurry(backend, "ZT100000000003", channel="web chat!"), 422)
    not_json = backend.post("/parcels/ZT100000000003/follow-ups", data=b"\xff\xfe",
                            headers={"Content-Type": "application/json"})
    assert not_json.status_code == 422
    assert_error(backend.get("/follow-ups", params={"limit": 0}), 422)


def test_a_late_parcel_gets_one_follow_up_whoever_asks_again(backend):
    first = _hurry(backend, "ZT100000000003")  # delayed, 成都 → 杭州
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["recorded"] is True and body["created"] is True
    follow_up = body["follow_up"]
    assert follow_up["outlet"] == "杭州营业部" and follow_up["state"] == "open"
    due = datetime.fromisoformat(follow_up["due_at"])
    created = datetime.fromisoformat(follow_up["created_at"])
    assert due.utcoffset() == timedelta(hours=8) and created < due <= created + timedelta(hours=24)
    start, end = get_settings().outlet_hours_start, get_settings().outlet_hours_end
    assert start <= due.strftime("%H:%M") <= end

    again = _hurry(backend, "zt 1000 0000 0003")  # the same parcel, spelt differently, from another chat
    assert again.status_code == 200
    assert again.json()["created"] is False and again.json()["follow_up"] == follow_up

    listed = backend.get("/follow-ups").json()["items"]
    assert [item["id"] for item in listed].count(follow_up["id"]) == 1
    assert any(item["tracking_number"] == "ZT100000000003" for item in listed)


def test_an_exception_parcel_is_followed_up_too(backend):
    response = _hurry(backend, "ZT100000000005")
    assert response.status_code in (200, 201) and response.json()["recorded"] is True
    assert response.json()["follow_up"]["outlet"] == "西安营业部"


@pytest.mark.parametrize("number, reason", [("ZT100000000002", "delivered"), ("ZT100000000006", "returned")])
def test_a_finished_parcel_records_nothing(backend, number, reason):
    response = _hurry(backend, number)
    assert response.status_code == 200
    assert response.json()["recorded"] is False and response.json()["reason"] == reason
    assert "follow_up" not in response.json()
    assert all(item["tracking_number"] != number for item in backend.get("/follow-ups").json()["items"])


def test_a_parcel_on_time_records_nothing(backend):
    summary = backend.get("/parcels/ZT100000000004").json()  # out for delivery, due today or later
    assert summary["is_delayed"] is False
    response = _hurry(backend, "ZT100000000004")
    assert response.status_code == 200
    assert response.json() | {"eta": None} == {"tracking_number": "ZT100000000004", "status": "out_for_delivery",
                                               "status_text": "派送中", "eta": None, "recorded": False,
                                               "reason": "not_late"}


def test_the_courier_is_masked_until_verified(backend):
    summary = backend.get("/parcels/ZT100000000004").json()
    courier = summary["courier"]
    assert courier["name"] and "****" in courier["phone"]
    token = backend.post("/parcels/ZT100000000004/verify", json={"phone_last4": "4444"}).json()["token"]
    details = backend.get("/parcels/ZT100000000004/details", headers={"X-Verification-Token": token}).json()
    assert details["courier"]["name"] == courier["name"]
    assert details["courier"]["phone"].isdigit() and details["courier"]["phone"][-4:] == courier["phone"][-4:]
    assert backend.get("/parcels/ZT100000000001").json()["courier"] is None  # not out for delivery


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time as the naive UTC the service takes."""
    moment = datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


@pytest.mark.parametrize("asked, due", [
    (_local(7, 10), _local(7, 14)),            # inside the hours: 4 h later
    (_local(7, 16), _local(7, 20)),            # ends exactly at closing
    (_local(7, 18, 30), _local(8, 10, 30)),    # 1.5 h today, 2.5 h from 08:00 tomorrow
    (_local(7, 23), _local(8, 12)),            # at night: from the next opening
    (_local(8, 3), _local(8, 12)),             # before opening
])
def test_due_time_counts_the_outlets_working_hours(monkeypatch, asked, due):
    for name, value in (("HURRY_REPLY_HOURS", "4"), ("OUTLET_HOURS_START", "08:00"), ("OUTLET_HOURS_END", "20:00"),
                        ("COURIER_TZ", "Asia/Shanghai")):
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        assert due_time(asked) == due
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
