"""Complaints: unguessable CP numbers, 24 h response due, closed-loop stages with history, lookup by
number/phone; a number alone shows only the stage, details need the filing chat or the phone's last 4 digits."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from bot.vocabulary.ticket_numbers import check_digit

from .helpers import assert_error

PHONE = "13711112222"
SUMMARY_KEYS = {"number", "kind", "stage", "stage_text", "details", "proof"}


def _create(backend, **overrides):
    body = {"category": "delay", "description": "三天了还没到，着急用", "contact_phone": PHONE,
            "tracking_number": "ZT100000000003", "channel": "web", **overrides}
    response = backend.post("/complaints", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _chat() -> str:
    return f"chat-{uuid.uuid4().hex[:12]}"


def _as_chat(conversation_id: str) -> dict[str, str]:
    return {"X-Conversation-Id": conversation_id}


def _full(backend, number):
    """The details, as the chat that filed the ticket sees them (every test ticket is filed from one)."""
    stored = _seeded(backend, "SELECT conversation_id FROM complaints WHERE number = :n", n=number)[0][0]
    return backend.get(f"/complaints/{number}", headers=_as_chat(stored)).json()


def _seeded(backend, query, **params):
    url = backend.database if backend.database != "sqlite" else f"sqlite:///{backend.var_dir / 'courier.db'}"
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return connection.execute(text(query), params).all()
    finally:
        engine.dispose()


def test_number_due_time_and_masking(backend):
    body = _create(backend)
    assert re.fullmatch(r"CP[3-9]\d{11}", body["number"]), body["number"]
    created = datetime.fromisoformat(body["created_at"])
    assert datetime.fromisoformat(body["response_due_at"]) - created == timedelta(hours=24)
    assert body["stage"] == "registered" and body["stage_text"]
    assert body["contact_phone"] == "137****2222"
    assert [row["stage"] for row in body["history"]] == ["registered"]


@pytest.mark.security
def test_new_numbers_are_random_checked_and_unique(backend):
    numbers = [_create(backend, category="other")["number"] for _ in range(12)]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        digits = number[2:]
        assert re.fullmatch(r"[3-9]\d{11}", digits) and check_digit(digits[:-1]) == digits[-1], number
    # Neither a date nor a sequence: consecutive tickets share no common prefix beyond chance.
    today = datetime.now().strftime("%Y%m%d")
    assert not any(today in number for number in numbers)
    gaps = {abs(int(a[2:-1]) - int(b[2:-1])) for a, b in zip(numbers, numbers[1:], strict=False)}
    assert min(gaps) > 1000


@pytest.mark.security
def test_a_number_alone_shows_only_that_the_complaint_exists_and_its_stage(backend):
    filed_in = _chat()
    ticket = _create(backend, conversation_id=filed_in, contact_phone="13766661234")
    backend.post(f"/complaints/{ticket['number']}/stage", json={"stage": "verifying", "note": "已联系站点"})
    for headers in ({}, _as_chat(_chat())):
        shown = backend.get(f"/complaints/{ticket['number']}", headers=headers)
        assert shown.status_code == 200, shown.text
        body = shown.json()
        assert set(body) == SUMMARY_KEYS, body
        assert body == {"number": ticket["number"], "kind": "complaint", "stage": "verifying",
                        "stage_text": "核实中", "details": False, "proof": "contact_phone_last4"}
        assert "三天了" not in shown.text and "1234" not in shown.text and "delay" not in shown.text
    # Lower case and spaces around are the same number.
    assert backend.get(f"/complaints/ {ticket['number'].lower()} ").json()["number"] == ticket["number"]
    # The chat that filed it sees everything at once, without counting.
    own = backend.get(f"/complaints/{ticket['number']}", headers=_as_chat(filed_in)).json()
    assert own["details"] is True and own["category"] == "delay" and own["response_due_at"]
    assert own["description"] == "三天了还没到，着急用"


@pytest.mark.security
def test_the_phones_last_four_digits_show_the_details(backend):
    ticket = _create(backend, conversation_id=_chat(), contact_phone="13766664321")
    asker = _as_chat(_chat())
    wrong = assert_error(backend.post(f"/complaints/{ticket['number']}/verify", json={"phone_last4": "4320"},
                                      headers=asker), 403, "verification_failed")
    assert set(wrong) == {"code", "message", "attempts_left"} and "4321" not in str(wrong)
    right = backend.post(f"/complaints/{ticket['number']}/verify", json={"phone_last4": "4321"}, headers=asker)
    assert right.status_code == 200, right.text
    body = right.json()
    assert body["details"] is True and body["category"] == "delay" and body["response_due_at"]
    assert body["contact_phone"] == "137****4321"
    assert_error(backend.post(f"/complaints/{ticket['number']}/verify", json={"phone_last4": "43"}), 422)


@pytest.mark.security
def test_wrong_digits_lock_the_complaint_whoever_asks(backend):
    ticket = _create(backend, conversation_id=_chat(), contact_phone="13766665555")
    path = f"/complaints/{ticket['number']}/verify"
    # The backend's default: 5 wrong answers within the window, then locked, whichever chat asks.
    lefts = [assert_error(backend.post(path, json={"phone_last4": f"000{n}"}, headers=_as_chat(_chat())), 403,
                          "verification_failed")["attempts_left"] for n in range(5)]
    assert lefts == [4, 3, 2, 1, 0]
    locked = assert_error(backend.post(path, json={"phone_last4": "5555"}, headers=_as_chat(_chat())), 429,
                          "verification_locked")
    assert locked["retry_after_s"] > 0 and "5555" not in str(locked)
    assert backend.get(f"/complaints/{ticket['number']}", headers=_as_chat(_chat())).json()["details"] is False


@pytest.mark.security
def test_old_dated_numbers_still_resolve(backend):
    [(number, phone)] = _seeded(backend, "SELECT number, contact_phone FROM complaints WHERE number LIKE 'CP2%' "
                                         "ORDER BY id LIMIT 1")
    assert re.fullmatch(r"CP20\d{9}", number)
    assert set(backend.get(f"/complaints/{number}", headers=_as_chat(_chat())).json()) == SUMMARY_KEYS
    proved = backend.post(f"/complaints/{number}/verify", json={"phone_last4": phone[-4:]},
                          headers=_as_chat(_chat()))
    assert proved.status_code == 200 and proved.json()["details"] is True and proved.json()["category"]


@pytest.mark.security
def test_unknown_numbers_get_one_answer(backend):
    real = _create(backend)["number"]
    unknown = [f"CP{body}{check_digit(body)}" for body in ("58392017446", "73105528190")]
    wrong_check = real[:-1] + str((int(real[-1]) + 1) % 10)
    answers = []
    for number in (*unknown, wrong_check, "CP19990101001", "CPXYZ"):
        answers.append(assert_error(backend.get(f"/complaints/{number}", headers=_as_chat(_chat())), 404,
                                    "complaint_not_found"))
    assert len({(a["code"], a["message"]) for a in answers}) == 1
    assert_error(backend.post(f"/complaints/{unknown[0]}/verify", json={"phone_last4": "1234"},
                              headers=_as_chat(_chat())), 404, "complaint_not_found")


@pytest.mark.security
def test_one_conversation_gets_six_look_ups_in_the_window(backend):
    ticket = _create(backend, conversation_id=_chat())["number"]
    asker = _as_chat(_chat())
    for body in ("58392017446", "73105528190", "61234567890", "49999999999", "30000000001"):
        assert_error(backend.get(f"/complaints/CP{body}{check_digit(body)}", headers=asker), 404)
    assert backend.get(f"/complaints/{ticket}", headers=asker).status_code == 200  # the sixth
    refused = [backend.get(f"/complaints/{number}", headers=asker) for number in (ticket, "CP58392017446" + "8")]
    for response in refused:  # whether the number exists or not: the same refusal
        detail = assert_error(response, 429, "too_many_lookups")
        assert 0 < detail["retry_after_s"] <= 15 * 60 and "分钟后再试" in detail["message"]
    # The same refusal; the wait is counted in whole seconds, and a second may turn between the two requests.
    first, second = (response.json()["detail"] for response in refused)
    assert abs(first.pop("retry_after_s") - second.pop("retry_after_s")) <= 1 and first == second
    # Claims share the conversation's budget; another conversation is not affected.
    assert_error(backend.get("/claims/CL731055281901", headers=asker), 429, "too_many_lookups")
    assert backend.get(f"/complaints/{ticket}", headers=_as_chat(_chat())).status_code == 200


def test_stage_history_and_transitions(backend):
    number = _create(backend, category="damage", conversation_id=_chat())["number"]
    for stage in ("verifying", "handling", "feedback_given"):
        response = backend.post(f"/complaints/{number}/stage", json={"stage": stage, "note": f"进入{stage}"})
        assert response.status_code == 200, response.text
    assert_error(backend.post(f"/complaints/{number}/stage", json={"stage": "verifying"}), 409,
                 "invalid_stage_transition")
    assert_error(backend.post(f"/complaints/{number}/stage", json={"stage": "closed"}), 422, "invalid_request")
    backend.post(f"/complaints/{number}/stage", json={"stage": "archived"})
    body = _full(backend, number)
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
    assert_error(backend.get("/complaints/CP583920174468"), 404, "complaint_not_found")


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
    assert backend.get("/complaints", params={"phone": phone, "tracking_last4": "0001"}).json()["items"] == []
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
