"""Tracking: summary for anyone, details only after phone verification; 404 unknown, 422 malformed."""

from __future__ import annotations

import re
import time

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
    assert proof["signed_by"] and proof["signed_at"] and proof["photo_available"] is True
    assert "/pod/" not in str(details)  # the photo's address only comes with a signed link
    assert details["events"][-1]["status"] == "delivered"


def _verified(backend, number: str, last4: str) -> dict:
    return {"X-Verification-Token": backend.post(f"/parcels/{number}/verify", json={"phone_last4": last4}).json()["token"]}


def _link(backend, number: str, last4: str) -> dict:
    response = backend.get(f"/parcels/{number}/pod-photo-link", headers=_verified(backend, number, last4))
    assert response.status_code == 200, response.text
    return response.json()


def _open(url: str, **kwargs) -> requests.Response:
    return requests.get(url, timeout=10, **kwargs)  # as a customer's browser: no API key


def test_sign_off_photo_is_served_only_through_a_signed_link(backend):
    assert_error(backend.get("/parcels/ZT100000000002/pod-photo-link"), 403, "verification_required")
    wrong_parcel = _verified(backend, "ZT100000000001", "5678")
    assert_error(backend.get("/parcels/ZT100000000002/pod-photo-link", headers=wrong_parcel), 403,
                 "verification_required")
    link = _link(backend, "ZT100000000002", "1234")
    assert link["url"] == backend.base_url + link["path"] and link["expires_at"].endswith("+08:00")
    photo = _open(link["url"])
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert photo.content.startswith(b"\x89PNG\r\n\x1a\n") and len(photo.content) > 100
    assert "no-store" in photo.headers["cache-control"]
    other = _open(_link(backend, "ZT100000000007", "5678")["url"])
    assert other.status_code == 200 and other.content != photo.content  # each parcel its own photo

    path, token = link["path"].split("?token=")
    assert_error(_open(backend.base_url + path), 403, "pod_link_invalid")
    assert_error(_open(f"{backend.base_url}{path}?token="), 403, "pod_link_invalid")
    expires, signature = token.split(".")
    forged = signature[:-2] + ("AA" if not signature.endswith("AA") else "BB")
    assert_error(_open(f"{backend.base_url}{path}?token={expires}.{forged}"), 403, "pod_link_invalid")
    assert_error(_open(f"{backend.base_url}{path}?token={int(expires) + 3600}.{signature}"), 403, "pod_link_invalid")
    assert_error(_open(f"{backend.base_url}{path}?token=" + "9" * 300), 403, "pod_link_invalid")
    # Parcel 02's token never opens another parcel's photo, whatever the path says.
    for elsewhere in ("ZT100000000007.png", "ZT100000000007.jpg", "zt100000000002.png", "ZT100000000002.jpg"):
        response = _open(f"{backend.base_url}/pod/{elsewhere}?token={token}")
        assert response.status_code in (403, 404) and not response.content.startswith(b"\x89PNG"), elsewhere
    assert_error(_open(f"{backend.base_url}/pod/ZT100000000007.png?token={token}"), 403, "pod_link_invalid")


def _signed(number: str, expires: int) -> str:
    """A token made with the backend's secret, written out independently of the service."""
    import base64
    import hashlib
    import hmac

    from .conftest import PRODUCTION_TEST_SECRETS

    secret = PRODUCTION_TEST_SECRETS["POD_LINK_SECRET"].encode()  # the backend under test signs with POD_LINK_SECRET
    digest = hmac.new(secret, f"pod-photo\x1f{number}\x1f{expires}".encode(), hashlib.sha256).digest()
    return f"{expires}." + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_an_expired_link_is_refused(backend):
    now = int(time.time())
    fresh = _open(f"{backend.base_url}/pod/ZT100000000002.png?token={_signed('ZT100000000002', now + 60)}")
    assert fresh.status_code == 200  # the independent signature is right…
    stale = _open(f"{backend.base_url}/pod/ZT100000000002.png?token={_signed('ZT100000000002', now - 1)}")
    assert_error(stale, 403, "pod_link_invalid")  # …and once expired it opens nothing


def test_a_parcel_without_a_photo_has_no_link_until_the_courier_uploads_one(backend):
    number = "ZT100000000311"  # seeded out for delivery, used by no other test
    assert backend.get(f"/parcels/{number}").json()["status"] == "out_for_delivery"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    early = backend.http.put(backend.url(f"/parcels/{number}/pod-photo"), files={"file": ("p.png", png, "image/png")},
                             timeout=15)
    assert_error(early, 409, "parcel_not_delivered")
    assert backend.post(f"/parcels/{number}/events", json={"status": "delivered", "signed_by": "前台"}).status_code == 201
    parcel = backend.get(f"/parcels/{number}/details", headers=_verified(backend, number, _last4(backend, number)))
    assert parcel.json()["proof_of_delivery"]["photo_available"] is False
    headers = _verified(backend, number, _last4(backend, number))
    assert_error(backend.get(f"/parcels/{number}/pod-photo-link", headers=headers), 404, "pod_photo_not_found")
    fake = backend.http.put(backend.url(f"/parcels/{number}/pod-photo"),
                            files={"file": ("p.png", b"not a photo", "image/png")}, timeout=15)
    assert_error(fake, 415)
    uploaded = backend.http.put(backend.url(f"/parcels/{number}/pod-photo"),
                                files={"file": ("p.png", png, "image/png")}, timeout=15)
    assert uploaded.status_code == 201, uploaded.text
    link = backend.get(f"/parcels/{number}/pod-photo-link", headers=headers).json()
    assert _open(link["url"]).content == png


def _last4(backend, number: str) -> str:
    """The sender's last 4 digits, as the operations side (with the API key) knows them from the database."""
    from sqlalchemy import create_engine, text

    url = backend.database if backend.database != "sqlite" else f"sqlite:///{backend.var_dir / 'courier.db'}"
    with create_engine(url).connect() as connection:
        phone = connection.execute(text("SELECT sender_phone FROM parcels WHERE tracking_number = :n"),
                                   {"n": number}).scalar_one()
    return phone[-4:]


def test_advancing_a_demo_parcel_to_delivered_draws_its_photo(backend):
    number = "ZT100000000319"  # seeded out for delivery, used by no other test
    assert backend.post(f"/parcels/{number}/advance").json()["event"]["status"] == "delivered"
    link = _link(backend, number, _last4(backend, number))
    assert _open(link["url"]).content.startswith(b"\x89PNG")
