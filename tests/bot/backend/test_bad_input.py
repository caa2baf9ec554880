"""Absurd input never produces a 500: always a 4xx with {"detail": {"code", "message"}}."""

from __future__ import annotations

import pytest
import requests

from .helpers import assert_error

MEGA = "好" * (1024 * 1024 // 3 + 10)  # a bit over 1 MB of UTF-8

QUOTE = {"origin": "上海", "destination": "北京", "weight_kg": 1}
BAD_QUOTES = [
    {**QUOTE, "weight_kg": -1}, {**QUOTE, "weight_kg": 0}, {**QUOTE, "weight_kg": 1e308},
    {**QUOTE, "weight_kg": "heavy"}, {**QUOTE, "weight_kg": "NaN"}, {**QUOTE, "weight_kg": "Infinity"},
    {**QUOTE, "weight_kg": [1]}, {**QUOTE, "weight_kg": {"kg": 1}}, {**QUOTE, "weight_kg": None},
    {**QUOTE, "weight_kg": 99999}, {**QUOTE, "length_cm": -5, "width_cm": 1, "height_cm": 1},
    {**QUOTE, "length_cm": 1e9, "width_cm": 1e9, "height_cm": 1e9}, {**QUOTE, "service_level": "teleport"},
    {**QUOTE, "declared_value_fen": -100}, {**QUOTE, "declared_value_fen": 12.5}, {**QUOTE, "declared_value_fen": "100"},
    {**QUOTE, "declared_value_fen": 10**30}, {**QUOTE, "origin": MEGA}, {**QUOTE, "origin": ""},
    {**QUOTE, "origin": 42}, {**QUOTE, "item": MEGA}, {**QUOTE, "needs_msds": "maybe"},
    {"origin": "上海"}, {}, [], "just a string", 12, None,
]


@pytest.mark.parametrize("body", BAD_QUOTES, ids=range(len(BAD_QUOTES)))
def test_bad_quotes(backend, body):
    response = backend.post("/quotes", json=body)
    assert 400 <= response.status_code < 500, response.text[:300]
    assert_error(response, response.status_code)
    assert len(response.content) < 20_000  # the error never echoes a megabyte back


@pytest.mark.parametrize("path, body", [
    ("/pickups", {"sender_name": MEGA}),
    ("/pickups", {"sender_name": "张", "sender_phone": 13800000000, "pickup_address": "上海市", "origin": "上海",
                  "destination": "北京", "item": "书", "time_window": "明天"}),
    ("/complaints", {"category": "delay", "description": MEGA, "contact_phone": "13800000000"}),
    ("/complaints", {"category": ["delay"], "description": "x", "contact_phone": "13800000000"}),
    ("/claims", {"tracking_number": "ZT100000000002", "claim_type": "damage", "insured": "often",
                 "description": "x", "contact_phone": "13800000000"}),
    ("/claims", {"tracking_number": "ZT100000000002", "claim_type": "damage", "insured": False,
                 "freight_fen": -1, "description": "x", "contact_phone": "13800000000"}),
    ("/claims", {"tracking_number": "<script>", "claim_type": "damage", "insured": False, "freight_fen": 1,
                 "description": "x", "contact_phone": "13800000000"}),
    ("/ratings", {"score": "five"}),
    ("/conversations/c/events", {"type": None}),
    ("/parcels/ZT100000000001/verify", {"phone_last4": 56.78}),
    ("/parcels/ZT100000000001/verify", {"phone_last4": "５６７８"}),
    ("/complaints/CP20261123001/stage", {"stage": 3}),
    ("/claims/CL20261123001/decision", {"approved": "yes please"}),
])
def test_bad_bodies_elsewhere(backend, path, body):
    response = backend.post(path, json=body)
    assert 400 <= response.status_code < 500, response.text[:300]
    assert_error(response, response.status_code)


@pytest.mark.parametrize("raw", [b"{", b"{'single': 'quotes'}", b"\xff\xfe\x00garbage", b"", b"null", b"[1,2,3]"])
def test_broken_json(backend, raw):
    response = backend.post("/quotes", data=raw, headers={"Content-Type": "application/json"})
    assert_error(response, 422, "invalid_request")


def test_wrong_content_type_and_methods(backend):
    assert_error(backend.post("/quotes", data="origin=上海", headers={"Content-Type": "text/plain"}), 422)
    assert_error(backend.http.delete(backend.url("/quotes")), 405, "method_not_allowed")
    assert_error(backend.get("/no-such-thing"), 404, "not_found")
    assert_error(requests.get(f"{backend.base_url}/nowhere", timeout=5), 404, "not_found")


def test_oversized_request_body(backend):
    big = b"x" * (7 * 1024 * 1024)
    response = backend.post("/complaints", data=big, headers={"Content-Type": "application/json"})
    assert_error(response, 413, "payload_too_large")


def test_oversized_chunked_body(backend):
    def chunks():
        for _ in range(8):
            yield b"x" * (1024 * 1024)

    response = backend.post("/complaints", data=chunks(), headers={"Content-Type": "application/json"})
    assert_error(response, 413, "payload_too_large")
    small = backend.post("/ratings", data=iter([b'{"score":', b" 4}"]), headers={"Content-Type": "application/json"})
    assert small.status_code == 201, small.text


def test_bad_idempotency_key(backend):
    response = backend.post("/ratings", json={"score": 3}, headers={"Idempotency-Key": "k" * 200})
    assert_error(response, 422, "invalid_idempotency_key")


def test_server_still_healthy_after_abuse(backend):
    assert requests.get(f"{backend.base_url}/health", timeout=5).status_code == 200
    assert " 500 " not in backend.log_text()
