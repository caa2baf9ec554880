"""Complaints: CP+date+sequence, 24 h response due, closed-loop stages with history, lookup by number/phone."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .helpers import assert_error

PHONE = "13711112222"


def _create(backend, **overrides):
    body = {"category": "delay", "description": "三天了还没到，着急用", "contact_phone": PHONE,
            "tracking_number": "ZT100000000003", "channel": "web", **overrides}
    response = backend.post("/complaints", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_number_due_time_and_masking(backend):
    body = _create(backend)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d")
    assert re.fullmatch(rf"CP{today}\d{{3}}", body["number"])
    created = datetime.fromisoformat(body["created_at"])
    assert datetime.fromisoformat(body["response_due_at"]) - created == timedelta(hours=24)
    assert body["stage"] == "registered" and body["stage_text"]
    assert body["contact_phone"] == "137****2222"
    assert [row["stage"] for row in body["history"]] == ["registered"]
    second = _create(backend, category="attitude")
    assert int(second["number"][-3:]) > int(body["number"][-3:])


def test_stage_history_and_transitions(backend):
    number = _create(backend, category="damage")["number"]
    for stage in ("verifying", "handling", "feedback_given"):
        response = backend.post(f"/complaints/{number}/stage", json={"stage": stage, "note": f"进入{stage}"})
        assert response.status_code == 200, response.text
    assert_error(backend.post(f"/complaints/{number}/stage", json={"stage": "verifying"}), 409,
                 "invalid_stage_transition")
    assert_error(backend.post(f"/complaints/{number}/stage", json={"stage": "closed"}), 422, "invalid_request")
    backend.post(f"/complaints/{number}/stage", json={"stage": "archived"})
    body = backend.get(f"/complaints/{number}").json()
    assert body["stage"] == "archived"
    stages = [row["stage"] for row in body["history"]]
    assert stages == ["registered", "verifying", "handling", "feedback_given", "archived"]
    times = [row["at"] for row in body["history"]]
    assert times == sorted(times)
    assert body["first_response_at"] is not None


def test_lookup_by_phone_newest_first_and_unknown(backend):
    phone = "13655556666"
    first = _create(backend, contact_phone=phone)["number"]
    second = _create(backend, contact_phone="136-5555-6666", category="other")["number"]
    items = backend.get("/complaints", params={"phone": phone}).json()["items"]
    assert [item["number"] for item in items][:2] == [second, first]
    assert all(item["contact_phone"] == "136****6666" for item in items)
    assert backend.get("/complaints", params={"phone": "13600000000"}).json() == {"items": []}
    assert_error(backend.get("/complaints", params={"phone": "abc"}), 422, "invalid_phone")
    assert_error(backend.get("/complaints/CP19990101001"), 404, "complaint_not_found")


def test_count_by_phone_and_lookup_by_the_tracking_numbers_last_digits(backend):
    phone = "13655557777"
    assert backend.get("/complaints/count", params={"phone": phone}).json() == {"total": 0, "open": 0}
    delayed = _create(backend, contact_phone=phone, tracking_number="ZT100000000003")["number"]
    _create(backend, contact_phone=phone, category="other", tracking_number=None)
    closed = _create(backend, contact_phone=phone, tracking_number="ZT100000000005")["number"]
    for stage in ("verifying", "handling", "feedback_given"):
        backend.post(f"/complaints/{closed}/stage", json={"stage": stage})
    counted = backend.get("/complaints/count", params={"phone": "136-5555-7777"}).json()
    assert counted == {"total": 3, "open": 2}  # nothing else: no numbers, no categories
    found = backend.get("/complaints", params={"phone": phone, "tracking_last4": "0003"}).json()["items"]
    assert [item["number"] for item in found] == [delayed]
    assert backend.get("/complaints", params={"phone": phone, "tracking_last4": "0001"}).json() == {"items": []}
    # Another phone's complaint on the same parcel is not found with this phone.
    _create(backend, contact_phone="13655558888", tracking_number="ZT100000000003")
    assert len(backend.get("/complaints", params={"phone": phone, "tracking_last4": "0003"}).json()["items"]) == 1
    for bad in ("000", "00031", "00%3", "abcd"):
        assert_error(backend.get("/complaints", params={"phone": phone, "tracking_last4": bad}), 422)
    assert_error(backend.get("/complaints/count", params={"phone": "abc"}), 422, "invalid_phone")


def test_unknown_category_is_refused(backend):
    response = backend.post("/complaints", json={"category": "angry", "description": "x", "contact_phone": PHONE})
    detail = assert_error(response, 422, "invalid_request")
    assert detail["fields"][0]["field"] == "category"
