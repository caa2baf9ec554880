"""Claims: compensation caps by DOMAIN.md, manual review above the limit, evidence checks, payout in 3
working days, payment; a claim number alone shows only the stage, never amounts or dates."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import create_engine, text

from bot.vocabulary.ticket_numbers import check_digit

from .conftest import ROOT
from .helpers import assert_error

PHONE = "13500007777"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 32


def _claim(backend, **overrides):
    body = {"tracking_number": "ZT100000000002", "claim_type": "damage", "insured": False, "freight_fen": 1500,
            "description": "外箱压坏，里面的杯子碎了", "contact_phone": PHONE, "conversation_id": _chat(),
            **overrides}
    response = backend.post("/claims", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _chat() -> str:
    return f"chat-{uuid.uuid4().hex[:12]}"


def _rows(backend, query, **params):
    url = backend.database if backend.database != "sqlite" else f"sqlite:///{backend.var_dir / 'courier.db'}"
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return connection.execute(text(query), params).all()
    finally:
        engine.dispose()


def _full(backend, number):
    """The details, as the chat that filed the claim sees them."""
    [(filed_in,)] = _rows(backend, "SELECT conversation_id FROM claims WHERE number = :n", n=number)
    return backend.get(f"/claims/{number}", headers={"X-Conversation-Id": filed_in}).json()


@pytest.mark.security
def test_claim_numbers_are_random_and_checked(backend):
    numbers = [_claim(backend)["number"] for _ in range(8)]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert re.fullmatch(r"CL[3-9]\d{11}", number) and check_digit(number[2:-1]) == number[-1], number


@pytest.mark.security
def test_a_claim_number_alone_shows_no_amount_no_date_no_type(backend):
    number = _claim(backend, claimed_amount_fen=3000, contact_phone="13400002468")["number"]
    backend.post(f"/claims/{number}/decision", json={"approved": True})
    stranger = {"X-Conversation-Id": _chat()}
    shown = backend.get(f"/claims/{number}", headers=stranger)
    assert shown.json() == {"number": number, "kind": "claim", "stage": "approved", "stage_text": "已核准，待付款",
                            "details": False, "proof": "contact_phone_last4"}
    for secret in ("3000", "4500", "payout", "damage", "2468", "ZT100000000002"):
        assert secret not in shown.text
    assert_error(backend.post(f"/claims/{number}/verify", json={"phone_last4": "2469"}, headers=stranger), 403,
                 "verification_failed")
    proved = backend.post(f"/claims/{number}/verify", json={"phone_last4": "2468"}, headers=stranger).json()
    assert proved["details"] is True and proved["approved_amount_fen"] == 3000 and proved["payout_due_date"]


@pytest.mark.security
def test_old_dated_claim_numbers_still_resolve(backend):
    [(number, phone, stage)] = _rows(backend, "SELECT number, contact_phone, stage FROM claims "
                                              "WHERE number LIKE 'CL2%' AND stage = 'approved' LIMIT 1")
    stranger = {"X-Conversation-Id": _chat()}
    assert backend.get(f"/claims/{number}", headers=stranger).json()["stage"] == stage
    proved = backend.post(f"/claims/{number}/verify", json={"phone_last4": phone[-4:]}, headers=stranger).json()
    assert proved["approved_amount_fen"] and proved["payout_due_date"]


def test_uninsured_cap_is_three_times_freight(backend):
    body = _claim(backend)
    assert body["number"].startswith("CL") and body["stage"] == "submitted"
    assert body["compensation_cap_fen"] == 4500
    assert body["cap_rule"] == "uninsured_freight_multiple" and body["cap_text"]
    assert body["needs_manual_review"] is False
    assert body["contact_phone"] == "135****7777"


def test_insured_cap_is_declared_value(backend):
    body = _claim(backend, claim_type="loss", insured=True, declared_value_fen=150000)
    assert body["compensation_cap_fen"] == 150000
    assert body["cap_rule"] == "insured_declared_value"
    assert_error(backend.post("/claims", json={"tracking_number": "ZT100000000002", "claim_type": "loss",
                                                "insured": True, "description": "丢了", "contact_phone": PHONE}),
                 422, "declared_value_required")


def test_delay_waives_freight_only(backend):
    body = _claim(backend, claim_type="delay", insured=True, declared_value_fen=900000, freight_fen=2300)
    assert body["compensation_cap_fen"] == 2300
    assert body["cap_rule"] == "delay_freight_waived"
    assert "保价费" in body["cap_text"]


def test_parcel_data_fills_missing_fields(backend):
    # ZT100000000007 is insured for ¥5,000 in the demo data.
    body = _claim(backend, tracking_number="ZT100000000007", insured=None, freight_fen=None, claim_type="loss")
    assert body["insured"] is True and body["compensation_cap_fen"] == 500000


def test_manual_review_above_auto_limit(backend):
    assert _claim(backend, insured=True, declared_value_fen=200001, claim_type="damage")["needs_manual_review"]
    assert not _claim(backend, insured=True, declared_value_fen=200000)["needs_manual_review"]
    assert _claim(backend, claimed_amount_fen=250000)["needs_manual_review"]


def test_unknown_parcel_and_bad_type(backend):
    assert_error(backend.post("/claims", json={"tracking_number": "ZT999999999998", "claim_type": "loss",
                                                "insured": False, "freight_fen": 1000, "description": "x",
                                                "contact_phone": PHONE}), 404, "parcel_not_found")
    response = backend.post("/claims", json={"tracking_number": "ZT100000000002", "claim_type": "theft",
                                             "insured": False, "description": "x", "contact_phone": PHONE})
    assert_error(response, 422, "invalid_request")


def _calendar_file() -> tuple[set[date], set[date]]:
    """(days off, make-up working days) read straight from the calendar file, not through the service."""
    data = yaml.safe_load((ROOT / "bot" / "backend" / "working_calendar.yml").read_text(encoding="utf-8"))
    off: set[date] = set()
    on: set[date] = set()
    for entry in data["years"].values():
        for block in entry.get("holidays") or []:
            day = block["from"]
            while day <= block["to"]:
                off.add(day)
                day += timedelta(days=1)
        on.update(row["date"] for row in entry.get("make_up_working_days") or [])
    return off, on


def expected_payout(day: date) -> date:
    """3 working days later on the official calendar — written out independently of the service."""
    off, on = _calendar_file()
    added, current = 0, day
    while added < 3:
        current += timedelta(days=1)
        if current in on or (current.isoweekday() <= 5 and current not in off):
            added += 1
    return current


def test_decision_sets_payout_date_and_payment(backend):
    number = _claim(backend, claimed_amount_fen=3000)["number"]
    assert_error(backend.post(f"/claims/{number}/pay"), 409, "invalid_stage_transition")
    assert_error(backend.post(f"/claims/{number}/decision", json={"approved": True, "approved_amount_fen": 4501}),
                 422, "amount_above_cap")
    body = backend.post(f"/claims/{number}/decision", json={"approved": True}).json()
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert body["stage"] == "approved"
    assert body["approved_amount_fen"] == 3000
    assert date.fromisoformat(body["payout_due_date"]) == expected_payout(today)
    paid = backend.post(f"/claims/{number}/pay").json()
    assert paid["stage"] == "paid" and paid["paid_at"]
    stages = [row["stage"] for row in _full(backend, number)["history"]]
    assert stages == ["submitted", "under_review", "approved", "paid"]
    assert_error(backend.post(f"/claims/{number}/decision", json={"approved": False}), 409)


def test_rejection(backend):
    number = _claim(backend)["number"]
    body = backend.post(f"/claims/{number}/decision", json={"approved": False, "note": "包装完好"}).json()
    assert body["stage"] == "rejected" and body["payout_due_date"] is None


def test_lookup_by_phone_and_number(backend):
    number = _claim(backend, contact_phone="13400008888")["number"]
    items = backend.get("/claims", params={"phone": "13400008888"}).json()["items"]
    assert [item["number"] for item in items] == [number]
    assert_error(backend.get("/claims/CL731055281901"), 404, "claim_not_found")


def test_count_by_phone_and_lookup_by_the_tracking_numbers_last_digits(backend):
    phone = "13400009999"
    assert backend.get("/claims/count", params={"phone": phone}).json() == {"total": 0, "open": 0}
    first = _claim(backend, contact_phone=phone)["number"]
    paid = _claim(backend, contact_phone=phone, tracking_number="ZT100000000007")["number"]
    backend.post(f"/claims/{paid}/decision", json={"approved": True})
    backend.post(f"/claims/{paid}/pay")
    assert backend.get("/claims/count", params={"phone": phone}).json() == {"total": 2, "open": 1}
    found = backend.get("/claims", params={"phone": phone, "tracking_last4": "0002"}).json()["items"]
    assert [item["number"] for item in found] == [first]
    assert backend.get("/claims", params={"phone": phone, "tracking_last4": "0003"}).json()["items"] == []
    assert_error(backend.get("/claims", params={"phone": phone, "tracking_last4": "2"}), 422)


@pytest.mark.parametrize("content, content_type", [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")])
def test_evidence_images_accepted(backend, content, content_type):
    number = _claim(backend)["number"]
    response = backend.post(f"/claims/{number}/evidence", files={"file": ("photo", io.BytesIO(content), content_type)})
    assert response.status_code == 201, response.text
    assert response.json()["evidence_id"]
    assert _full(backend, number)["evidence_count"] == 1
    stored = list((backend.var_dir / "evidence" / number).iterdir())
    assert len(stored) == 1 and stored[0].read_bytes() == content


def test_evidence_checks(backend):
    number = _claim(backend)["number"]

    def upload(content, content_type):
        return backend.post(f"/claims/{number}/evidence", files={"file": ("x", io.BytesIO(content), content_type)})

    assert_error(upload(b"%PDF-1.4 not an image", "application/pdf"), 415, "unsupported_file_type")
    assert_error(upload(b"MZ\x90\x00 pretending", "image/jpeg"), 415, "file_content_mismatch")
    assert_error(upload(PNG, "image/jpeg"), 415, "file_content_mismatch")
    assert_error(upload(b"", "image/png"), 422, "empty_file")
    assert_error(upload(PNG + b"\x00" * (5 * 1024 * 1024), "image/png"), 413, "file_too_large")
    assert_error(backend.post(f"/claims/{number}/evidence", data={"nofile": "1"}), 422, "invalid_request")
    assert_error(backend.post("/claims/CL19990101001/evidence", files={"file": ("x", io.BytesIO(PNG), "image/png")}),
                 404, "claim_not_found")
    assert _full(backend, number)["evidence_count"] == 0
