"""The backend client (bot/clients/backend.py) against the real backend app: typed errors, idempotent retries,
masking, down backend."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.backend.seed import DEMO_PARCELS
from bot.clients.backend import (
    BackendClient,
    BackendUnavailable,
    InvalidInput,
    NotFound,
    VerificationFailed,
    idempotency_key,
)

IN_TRANSIT = next(p for p in DEMO_PARCELS if p.status == "in_transit")


def pickup_body(item: str = "衣服") -> dict:
    return {"sender_name": "王女士", "sender_phone": "13912345678", "pickup_address": "杭州市西湖区文三路100号",
            "origin": "杭州", "destination": "北京", "item": item, "time_window": "明天上午"}


def test_parcel_summary_and_typed_errors(client: BackendClient) -> None:
    parcel = client.get_parcel(IN_TRANSIT.number)
    assert parcel["tracking_number"] == IN_TRANSIT.number
    assert parcel["status"] == "in_transit"
    with pytest.raises(NotFound) as missing:
        client.get_parcel("ZT999999999999")
    assert missing.value.code == "parcel_not_found"
    with pytest.raises(InvalidInput) as malformed:
        client.get_parcel("ZT12")
    assert malformed.value.code == "invalid_tracking_number"
    assert malformed.value.message  # the backend's polite sentence travels with the error


def test_verification_errors_are_typed(client: BackendClient) -> None:
    wrong = "0000" if not IN_TRANSIT.sender_phone.endswith("0000") else "1111"
    with pytest.raises(VerificationFailed) as failed:
        client.verify_parcel(IN_TRANSIT.number, wrong)
    assert failed.value.code == "verification_failed"
    grant = client.verify_parcel(IN_TRANSIT.number, IN_TRANSIT.sender_phone[-4:])
    details = client.get_parcel_details(IN_TRANSIT.number, grant["token"])
    assert details["events"]
    with pytest.raises(VerificationFailed) as required:
        client.get_parcel_details(IN_TRANSIT.number, "not-a-token")
    assert required.value.code == "verification_required"


def test_same_idempotency_key_never_books_twice(client: BackendClient) -> None:
    body = pickup_body()
    key = idempotency_key("conv-idem", "pickup", body)
    assert key == idempotency_key("conv-idem", "pickup", dict(reversed(list(body.items()))))
    first = client.create_pickup(body, key)
    again = client.create_pickup(body, key)
    assert again["tracking_number"] == first["tracking_number"]
    other = client.create_pickup(body, idempotency_key("conv-other", "pickup", body))
    assert other["tracking_number"] != first["tracking_number"]


def test_prohibited_item_carries_the_reason(client: BackendClient) -> None:
    with pytest.raises(InvalidInput) as refused:
        client.create_pickup(pickup_body(item="两瓶汽油"))
    assert refused.value.code == "prohibited_item"
    assert "易燃" in refused.value.reason


def test_wrong_api_key_is_unavailable_not_a_crash(backend_url: str) -> None:
    with pytest.raises(BackendUnavailable):
        BackendClient(base_url=backend_url, api_key="wrong-key", retries=0).get_parcel(IN_TRANSIT.number)


def test_down_backend_raises_after_bounded_retries(dead_client: BackendClient) -> None:
    started = time.monotonic()
    with pytest.raises(BackendUnavailable):
        dead_client.get_parcel(IN_TRANSIT.number)
    assert time.monotonic() - started < 5


@pytest.fixture
def overloaded() -> Iterator[tuple[str, list[str]]]:
    """A server that answers every request 503 (an overloaded backend behind a gateway) and counts them."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            seen.append(self.command)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _answer  # noqa: N815 - http.server naming

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


def test_only_idempotent_calls_are_retried(overloaded: tuple[str, list[str]]) -> None:
    url, seen = overloaded
    client = BackendClient(base_url=url, retries=2, backoff_s=0.01)
    with pytest.raises(BackendUnavailable) as down:
        client.create_pickup(pickup_body())
    assert down.value.code == "unavailable" and seen == ["POST"]  # no key: a repeat could book twice
    seen.clear()
    with pytest.raises(BackendUnavailable):
        client.create_pickup(pickup_body(), idempotency_key("c", "pickup", pickup_body()))
    assert seen == ["POST"] * 3  # 1 + BACKEND_RETRIES: the backend replays a repeated key
    seen.clear()
    with pytest.raises(BackendUnavailable):
        client.get_parcel(IN_TRANSIT.number)
    assert seen == ["GET"] * 3
    seen.clear()
    with pytest.raises(BackendUnavailable):
        client.open_handoff({"conversation_id": "c"})
    assert seen == ["POST"]


def test_post_without_key_is_not_retried_when_down(dead_client: BackendClient,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.clients.backend")
    started = time.monotonic()
    with pytest.raises(BackendUnavailable):
        dead_client.create_pickup(pickup_body())
    assert [r.getMessage() for r in caplog.records if "failed" in r.getMessage()] == [
        "backend POST /api/v1/pickups failed: ConnectionError"]
    assert time.monotonic() - started < 2


def test_phones_are_masked_in_logs(dead_client: BackendClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.clients.backend")
    with pytest.raises(BackendUnavailable):
        dead_client.list_complaints("13812345678")
    with pytest.raises(BackendUnavailable):
        dead_client.get_customer_by_phone("13812345678")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "138****5678" in logged
    assert "13812345678" not in logged
