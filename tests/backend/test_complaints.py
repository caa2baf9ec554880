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


def test_unknown_category_is_refused(backend):
    response = backend.post("/complaints", json={"category": "angry", "description": "x", "contact_phone": PHONE})
    detail = assert_error(response, 422, "invalid_request")
    assert detail["fields"][0]["field"] == "category"
