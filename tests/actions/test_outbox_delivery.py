"""The outbox worker's deliveries (actions/outbox_delivery.py) against the real backend: filed once per key.

A write whose first try did land (its answer lost on the way back) is replayed by the backend, not filed twice;
a write that met a dead backend waits and is filed once it is back; a claim's photos follow it; a write the
backend refuses for good leaves the outbox.
"""

from __future__ import annotations

import base64
import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from actions.outbox_delivery import deliver
from bot.clients.backend import BackendClient, idempotency_key, set_client
from bot.outbox import Outbox, Worker
from bot.settings import get_settings

COMPLAINT = {"category": "delay", "description": "三天了还没到", "contact_phone": "13977770001",
             "tracking_number": "ZT100000000003", "conversation_id": "ob-unit-1", "channel": "rest"}
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


@pytest.fixture()
def quick_outbox(tmp_path) -> Iterator[Outbox]:
    box = Outbox(f"sqlite:///{tmp_path / 'worker.db'}", retry_base_s=0.01, retry_max_s=0.01)
    yield box
    box.dispose()


def _complaints(api, phone: str) -> list[dict]:
    return api("GET", "/api/v1/complaints", params={"phone": phone}).json()["items"]


def test_a_first_try_that_landed_is_not_filed_twice(client: BackendClient, api, quick_outbox: Outbox) -> None:
    key = idempotency_key("ob-unit-1", "complaint", COMPLAINT)
    first = client.create_complaint(COMPLAINT, idempotency=key)  # landed, but the action saw a timeout
    quick_outbox.enqueue("complaint", key, "ob-unit-1", {"body": COMPLAINT})
    assert Worker(quick_outbox, deliver).run_once() == 1
    assert quick_outbox.waiting() == 0
    assert [c["number"] for c in _complaints(api, "13977770001")] == [first["number"]]


def test_a_write_that_met_a_dead_backend_is_filed_once_it_is_back(dead_client, backend_url: str, api,
                                                                  quick_outbox: Outbox) -> None:
    body = {**COMPLAINT, "contact_phone": "13977770002", "conversation_id": "ob-unit-2"}
    key = idempotency_key("ob-unit-2", "complaint", body)
    quick_outbox.enqueue("complaint", key, "ob-unit-2", {"body": body})
    worker = Worker(quick_outbox, deliver)
    assert worker.run_once() == 1 and quick_outbox.waiting() == 1  # down: kept for a later try
    set_client(BackendClient(base_url=backend_url))
    time.sleep(0.05)  # past the (tiny) backoff
    assert worker.run_once() == 1 and quick_outbox.waiting() == 0
    quick_outbox.enqueue("complaint", key, "ob-unit-2", {"body": body})  # the same promise once more
    worker.run_once()
    assert len(_complaints(api, "13977770002")) == 1


@pytest.fixture()
def photo_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    class Photo(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args: object) -> None:
            pass

    monkeypatch.setenv("PHOTO_FETCH_ALLOW_PRIVATE", "1")  # the photo is served on this machine
    get_settings.cache_clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Photo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/photo.png"
    server.shutdown()
    get_settings.cache_clear()


def test_a_kept_claim_is_filed_with_its_photo_once(client: BackendClient, api, quick_outbox: Outbox,
                                                  photo_url: str) -> None:
    body = {"tracking_number": "ZT100000000002", "claim_type": "damage", "insured": False,
            "description": "外箱压坏", "contact_phone": "13977770003", "conversation_id": "ob-unit-3",
            "claimed_amount_fen": 10000}
    key = idempotency_key("ob-unit-3", "claim", body)
    for _ in range(2):  # delivered twice (a lease that ran out): one claim, one photo
        quick_outbox.enqueue("claim", key, "ob-unit-3", {"body": body, "evidence_urls": [photo_url]})
        Worker(quick_outbox, deliver).run_once()
    claims = api("GET", "/api/v1/claims", params={"phone": "13977770003"}).json()["items"]
    assert len(claims) == 1
    number = claims[0]["number"]
    shown = api("GET", f"/api/v1/claims/{number}", headers={"X-Conversation-Id": "ob-unit-3"}).json()
    assert shown["evidence_count"] == 1


def test_a_write_the_backend_refuses_leaves_the_outbox(client: BackendClient, api, quick_outbox: Outbox) -> None:
    body = {**COMPLAINT, "category": "no-such-category", "contact_phone": "13977770004"}
    quick_outbox.enqueue("complaint", "complaint-refused", "ob-unit-4", {"body": body})
    Worker(quick_outbox, deliver).run_once()
    assert quick_outbox.waiting() == 0 and _complaints(api, "13977770004") == []
