"""A photo sent from the web chat follows the claim like a WeChat photo, through the same actions.

The page posts it to the backend (`POST /chat/uploads`) and the conversation carries its `chat-upload:`
reference; `actions/claim_photos.upload_photo` hands the reference to the backend instead of fetching an address.
"""

from __future__ import annotations

import base64
import uuid

import requests

from actions.claim_photos import upload_photo
from actions.outbox_delivery import deliver
from bot.clients.backend import BackendClient, idempotency_key
from bot.outbox import Outbox, Worker
from tests.bot.backend.helpers import chat_session_headers
from tests.conftest import CHAT_SESSION_SECRET

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def _held_photo(backend_url: str, session: str) -> str:
    response = requests.post(f"{backend_url}/chat/uploads", data=PNG, timeout=15,
                             headers={"Content-Type": "image/png",
                                      **chat_session_headers(session, CHAT_SESSION_SECRET.encode())})
    assert response.status_code == 201, response.text
    return response.json()["upload"]


def test_a_web_chat_photo_follows_its_claim_once(backend_url: str, client: BackendClient, api,
                                                 tmp_path) -> None:
    session = f"webphoto{uuid.uuid4().hex[:12]}"
    reference = _held_photo(backend_url, session)
    body = {"tracking_number": "ZT100000000002", "claim_type": "damage", "insured": False,
            "description": "外箱压坏", "contact_phone": "13977770013", "conversation_id": session,
            "claimed_amount_fen": 10000}
    key = idempotency_key(session, "claim", body)
    box = Outbox(f"sqlite:///{tmp_path / 'photos.db'}", retry_base_s=0.01, retry_max_s=0.01)
    try:
        for _ in range(2):  # delivered twice (a lease that ran out): one claim, one photo
            box.enqueue("claim", key, session, {"body": body, "evidence_urls": [reference]})
            Worker(box, deliver).run_once()
    finally:
        box.dispose()
    [claim] = api("GET", "/api/v1/claims", params={"phone": "13977770013"}).json()["items"]
    number = claim["number"]

    def evidence_count() -> int:
        return api("GET", f"/api/v1/claims/{number}", headers={"X-Conversation-Id": session}).json()["evidence_count"]

    assert evidence_count() == 1
    # A photo sent after filing (the late-photo path) is added; one that was never held is reported as failed.
    assert upload_photo(number, _held_photo(backend_url, session)) is True
    assert upload_photo(number, f"chat-upload:{session}/{'0' * 32}.png") is False
    assert upload_photo(number, "chat-upload:../../courier.db") is False
    assert evidence_count() == 2
