"""Customers (VIP, account manager), ratings, conversation events and the KPI report computed from rows."""

from __future__ import annotations

import uuid

from .helpers import assert_error


def test_vip_customer_with_account_manager(backend):
    body = backend.get("/customers/by-phone/13812345678").json()
    assert body["is_vip"] is True
    assert body["phone"] == "138****5678"
    assert body["account_manager"]["name"] and body["account_manager"]["phone"]
    assert body["name"]


def test_regular_and_unknown_customers(backend):
    body = backend.get("/customers/by-phone/13987654321").json()
    assert body["is_vip"] is False and body["account_manager"] is None
    assert_error(backend.get("/customers/by-phone/13000000000"), 404, "customer_not_found")
    assert_error(backend.get("/customers/by-phone/hello"), 422, "invalid_phone")


def test_ratings(backend):
    response = backend.post("/ratings", json={"score": 4, "comment": "很快", "conversation_id": "r-1"})
    assert response.status_code == 201 and response.json()["rating_id"]
    for bad in (0, 6, -1, 4.5, "5", None, True):
        assert_error(backend.post("/ratings", json={"score": bad}), 422, "invalid_request")


def test_kpi_report_counts_what_is_stored(backend):
    before = backend.get("/reports/kpi", params={"days": 30}).json()
    run = uuid.uuid4().hex[:8]
    for index in range(3):
        cid = f"kpi-{run}-{index}"
        assert backend.post(f"/conversations/{cid}/events", json={"type": "started", "channel": "web"}).status_code == 201
        backend.post(f"/conversations/{cid}/events", json={"type": "resolved"})
    handed = f"kpi-{run}-h"
    backend.post(f"/conversations/{handed}/events", json={"type": "started", "channel": "wechat"})
    backend.post(f"/conversations/{handed}/events", json={"type": "handed_off", "reason": f"test_{run}"})
    for score in (1, 5):
        backend.post("/ratings", json={"score": score})
    after = backend.get("/reports/kpi", params={"days": 30}).json()
    counts_before, counts_after = before["counts"], after["counts"]
    assert counts_after["conversations"] == counts_before["conversations"] + 4
    assert counts_after["contained"] == counts_before["contained"] + 3
    assert counts_after["handed_off"] == counts_before["handed_off"] + 1
    assert after["handoffs_by_reason"][f"test_{run}"] == 1
    assert counts_after["ratings"] == counts_before["ratings"] + 2
    assert after["containment_rate"] == round(counts_after["contained"] / counts_after["conversations"], 4)
    for rate in ("complaint_response_24h_rate", "claim_payout_3wd_rate", "satisfaction_average"):
        assert after[rate] is not None
    assert_error(backend.get("/reports/kpi", params={"days": 0}), 422)
    assert_error(backend.post("/conversations/x/events", json={"type": "exploded"}), 422)


def test_web_chat_is_served(backend):
    import requests

    response = requests.get(f"{backend.base_url}/chat/", timeout=5)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
