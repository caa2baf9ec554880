"""Retried writes create nothing new; phones never appear in full in responses that don't need them or in logs."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from .helpers import assert_error

PHONE = "13322224444"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _count(backend, path):
    return len(backend.get(path, params={"phone": PHONE}).json()["items"])


def test_retried_complaint_and_claim_create_one_ticket(backend):
    complaint = {"category": "loss", "description": "没收到", "contact_phone": PHONE}
    claim = {"tracking_number": "ZT100000000002", "claim_type": "loss", "insured": False, "freight_fen": 800,
             "description": "没收到", "contact_phone": PHONE}
    for path, body in (("/complaints", complaint), ("/claims", claim)):
        before = _count(backend, path)
        key = str(uuid.uuid4())
        first = backend.post(path, json=body, headers={"Idempotency-Key": key})
        second = backend.post(path, json=body, headers={"Idempotency-Key": key})
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert _count(backend, path) == before + 1
        # Without a key a repeat is a new ticket, as asked.
        backend.post(path, json=body)
        assert _count(backend, path) == before + 2


def test_same_key_on_another_endpoint_is_independent(backend):
    key = str(uuid.uuid4())
    rating = backend.post("/ratings", json={"score": 5}, headers={"Idempotency-Key": key})
    event = backend.post("/conversations/idem/events", json={"type": "started"}, headers={"Idempotency-Key": key})
    assert rating.status_code == event.status_code == 201
    assert "rating_id" in rating.json() and "event_id" in event.json()


def test_stage_change_and_decision_retries(backend):
    chat = {"X-Conversation-Id": f"chat-{uuid.uuid4().hex}"}  # the filing chat sees the details (history)
    number = backend.post("/complaints", json={"category": "other", "description": "x", "contact_phone": PHONE,
                                                "conversation_id": chat["X-Conversation-Id"]}).json()["number"]
    key = str(uuid.uuid4())
    first = backend.post(f"/complaints/{number}/stage", json={"stage": "verifying"}, headers={"Idempotency-Key": key})
    again = backend.post(f"/complaints/{number}/stage", json={"stage": "verifying"}, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert len(backend.get(f"/complaints/{number}", headers=chat).json()["history"]) == 2
    claim = backend.post("/claims", json={"tracking_number": "ZT100000000002", "claim_type": "damage",
                                          "insured": False, "freight_fen": 800, "description": "x",
                                          "contact_phone": PHONE}).json()["number"]
    key = str(uuid.uuid4())
    for _ in range(2):
        assert backend.post(f"/claims/{claim}/decision", json={"approved": True},
                            headers={"Idempotency-Key": key}).status_code == 200
        assert backend.post(f"/claims/{claim}/pay", headers={"Idempotency-Key": key + "p"}).status_code == 200


def test_concurrent_retries_create_one_ticket(backend):
    phone = "13366668888"
    key = str(uuid.uuid4())
    body = {"category": "delivery", "description": "并发重试", "contact_phone": phone}

    def send(_):
        response = requests.post(backend.url("/complaints"), json=body, timeout=15,
                                 headers={"X-API-Key": backend.http.headers["X-API-Key"], "Idempotency-Key": key})
        return response.status_code, response.json().get("number")

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(send, range(6)))
    assert {status for status, _ in results} == {201}
    assert len({number for _, number in results}) == 1
    assert len(backend.get("/complaints", params={"phone": phone}).json()["items"]) == 1


def test_phones_masked_in_responses_and_logs(backend):
    phone = "13977771234"
    body = backend.post("/complaints", json={"category": "other", "description": f"请打我电话 {phone}",
                                             "contact_phone": phone}).json()
    assert body["contact_phone"] == "139****1234"
    backend.get("/complaints", params={"phone": phone})
    backend.get(f"/customers/by-phone/{phone}")
    backend.post("/claims", json={"tracking_number": "ZT100000000002", "claim_type": "damage", "insured": False,
                                  "freight_fen": 100, "description": "x", "contact_phone": phone})
    log = backend.log_text()
    assert "139****1234" in log  # the requests were logged…
    assert phone not in log      # …with the number masked


def test_nothing_returns_500_in_this_run(backend):
    assert '" 500' not in backend.log_text()
    assert_error(backend.get("/parcels/ZT000000000000"), 404)


@pytest.mark.security
def test_a_retry_spelled_differently_replays_instead_of_storing_twice(backend):
    """Issue 13 finding 8: the key is scoped by the resource (route + canonical number), not the raw path."""
    number = backend.post("/claims", json={"tracking_number": "ZT100000000002", "claim_type": "damage",
                                           "insured": False, "freight_fen": 800, "description": "x",
                                           "contact_phone": PHONE}).json()["number"]
    key = str(uuid.uuid4())
    photo = {"file": ("photo.png", PNG, "image/png")}
    encoded = "".join(f"%{ord(char):02X}" for char in number)  # every character percent-encoded
    answers = [backend.post(f"/claims/{spelling}/evidence", files=photo, headers={"Idempotency-Key": key})
               for spelling in (number, number.lower(), encoded, f" {number.lower()} ")]
    assert [answer.status_code for answer in answers] == [201] * 4, [answer.text for answer in answers]
    assert len({answer.json()["evidence_id"] for answer in answers}) == 1
    assert all(answer.headers.get("Idempotent-Replayed") == "true" for answer in answers[1:])
    assert len(list((backend.var_dir / "evidence" / number).iterdir())) == 1  # one photo stored, not four


@pytest.mark.security
def test_the_same_key_on_two_resources_of_one_route_stays_independent(backend):
    key = str(uuid.uuid4())
    first = backend.post("/conversations/scope-a/events", json={"type": "started"}, headers={"Idempotency-Key": key})
    second = backend.post("/conversations/scope-b/events", json={"type": "started"}, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201
    assert first.json()["event_id"] != second.json()["event_id"]
    # Conversation ids are case-sensitive: another case is another conversation.
    third = backend.post("/conversations/SCOPE-A/events", json={"type": "started"}, headers={"Idempotency-Key": key})
    assert third.status_code == 201 and third.json()["event_id"] not in {first.json()["event_id"],
                                                                          second.json()["event_id"]}
