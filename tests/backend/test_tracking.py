"""Tracking: summary for anyone, details only after phone verification; 404 unknown, 422 malformed."""

from __future__ import annotations

import re

import pytest
import requests

from .helpers import assert_error


def test_health_is_open_and_api_needs_key(backend):
    assert requests.get(f"{backend.base_url}/health", timeout=5).json()["status"] == "ok"
    assert_error(requests.get(backend.url("/parcels/ZT100000000001"), timeout=5), 401, "unauthorized")
    wrong = requests.get(backend.url("/parcels/ZT100000000001"), headers={"X-API-Key": "nope"}, timeout=5)
    assert_error(wrong, 401, "unauthorized")


def test_summary_of_demo_parcel_in_transit(backend):
    body = backend.get("/parcels/ZT100000000001").json()
    assert body["status"] == "in_transit"
    assert (body["origin_city"], body["destination_city"], body["current_city"]) == ("上海", "北京", "济南")
    assert body["last_event"]["city"] == "济南" and body["last_event"]["description"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", body["eta"])
    assert body["last_event"]["time"].endswith("+08:00")
    assert not body["is_delayed"] and not body["is_exception"]
    # The summary never carries a phone, not even masked: the last four digits are the verification secret.
    assert "5678" not in str(body) and "phone" not in str(body)


@pytest.mark.parametrize("number, status", [
    ("ZT100000000002", "delivered"), ("ZT100000000003", "delayed"), ("ZT100000000004", "out_for_delivery"),
    ("ZT100000000005", "exception"), ("ZT100000000006", "returned"), ("SF1234567890123", "at_hub"),
])
def test_demo_parcels_in_their_states(backend, number, status):
    body = backend.get(f"/parcels/{number}").json()
    assert body["status"] == status
    assert body["status_text"]
    if status == "delayed":
        assert body["is_delayed"]
    if status == "exception":
        assert body["is_exception"]


def test_number_is_normalised(backend):
    assert backend.get("/parcels/zt1000 0000 0001").json()["tracking_number"] == "ZT100000000001"


def test_unknown_and_malformed_numbers(backend):
    detail = assert_error(backend.get("/parcels/ZT999999999999"), 404, "parcel_not_found")
    assert "ZT999999999999" in detail["message"]
    for bad in ("123", "ZT12", "HELLO-WORLD", "ZT1000000000011111111", "%E4%BD%A0%E5%A5%BD", "x" * 300):
        assert_error(backend.get(f"/parcels/{bad}"), 422, "invalid_tracking_number")


def test_verification_then_details(backend):
    assert_error(backend.get("/parcels/ZT100000000001/details"), 403, "verification_required")
    assert_error(backend.post("/parcels/ZT100000000001/verify", json={"phone_last4": "0000"}), 403,
                 "verification_failed")
    assert_error(backend.post("/parcels/ZT100000000001/verify", json={"phone_last4": "56789"}), 422)
    sender = backend.post("/parcels/ZT100000000001/verify", json={"phone_last4": "5678"})
    assert sender.status_code == 200
    receiver = backend.post("/parcels/ZT100000000001/verify", json={"phone_last4": "4321"})
    assert receiver.status_code == 200
    token = sender.json()["token"]
    assert sender.json()["expires_at"].endswith("+08:00")
    details = backend.get("/parcels/ZT100000000001/details", headers={"X-Verification-Token": token}).json()
    assert details["sender"]["phone"] == "13812345678"
    assert details["receiver"]["phone"] == "13987654321"
    assert details["sender"]["address"].startswith("上海")
    assert [e["status"] for e in details["events"]][0] == "collected"
    times = [e["time"] for e in details["events"]]
    assert times == sorted(times)
    assert details["proof_of_delivery"] is None
    # A token is for one parcel only.
    other = backend.get("/parcels/ZT100000000002/details", headers={"X-Verification-Token": token})
    assert_error(other, 403, "verification_required")
    assert_error(backend.get("/parcels/ZT100000000001/details", headers={"X-Verification-Token": "forged"}), 403)


def test_delivered_parcel_has_proof_of_delivery(backend):
    token = backend.post("/parcels/ZT100000000002/verify", json={"phone_last4": "1234"}).json()["token"]
    details = backend.get("/parcels/ZT100000000002/details", headers={"X-Verification-Token": token}).json()
    proof = details["proof_of_delivery"]
    assert proof["signed_by"] and proof["signed_at"] and proof["photo_url"]
    assert details["events"][-1]["status"] == "delivered"


def test_token_expires(backend, tmp_path_factory):
    from .conftest import start_backend, stop_backend

    short = start_backend(tmp_path_factory.mktemp("expiry"), backend.database if backend.database != "sqlite" else "",
                          {"VERIFICATION_TOKEN_MINUTES": "0"})
    try:
        token = short.post("/parcels/ZT100000000001/verify", json={"phone_last4": "5678"}).json()["token"]
        assert_error(short.get("/parcels/ZT100000000001/details", headers={"X-Verification-Token": token}), 403,
                     "verification_required")
    finally:
        stop_backend(short)
