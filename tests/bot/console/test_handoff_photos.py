"""The agent sees the photos of a handed-off conversation: its claims' evidence and web chat photos no claim took.

Photos are personal data: the console serves each one only to a signed-in agent, only through a handoff of the
conversation that sent it.
"""

from __future__ import annotations

import uuid

import requests

from tests.bot.backend.conftest import PRODUCTION_TEST_SECRETS
from tests.bot.backend.helpers import chat_session_headers
from tests.bot.console.conftest import login, open_handoff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x02" * 40
SECRET = PRODUCTION_TEST_SECRETS["CHAT_SESSION_SECRET"].encode()  # the console's backend signs chat sessions with it


def _send_photo(backend, conversation: str, body: bytes, content_type: str) -> str:
    reply = requests.post(f"{backend.base_url}/chat/uploads", data=body, timeout=15,
                          headers={"Content-Type": content_type, **chat_session_headers(conversation, SECRET)})
    assert reply.status_code == 201, reply.text
    return reply.json()["upload"]


def test_the_agent_sees_the_conversations_photos(desk_backend) -> None:
    base = desk_backend.base_url
    conversation, stranger = uuid.uuid4().hex, uuid.uuid4().hex
    claim = desk_backend.post("/claims", json={
        "tracking_number": "ZT100000000002", "claim_type": "damage", "insured": False, "freight_fen": 1500,
        "description": "外箱压坏", "contact_phone": "13600005678", "conversation_id": conversation})
    assert claim.status_code == 201, claim.text
    number = claim.json()["number"]
    evidence = desk_backend.post(f"/claims/{number}/evidence/chat-upload",
                                 json={"upload": _send_photo(desk_backend, conversation, JPEG, "image/jpeg")})
    assert evidence.status_code == 201, evidence.text
    _send_photo(desk_backend, conversation, PNG, "image/png")  # sent later, e.g. while the agent has the chat
    _send_photo(desk_backend, stranger, PNG, "image/png")

    handoff = open_handoff(desk_backend, conversation)["handoff_id"]
    other = open_handoff(desk_backend, stranger)["handoff_id"]
    agent = login(desk_backend, "li")
    context = agent.get(f"{base}/console/api/handoffs/{handoff}/context", timeout=15).json()
    photos = context["photos"]
    assert [(photo["kind"], photo["claim_number"]) for photo in photos] == [("evidence", number), ("chat", None)]
    shown = [agent.get(f"{base}{photo['url']}", timeout=15) for photo in photos]
    assert [(reply.status_code, reply.content, reply.headers["Content-Type"]) for reply in shown] == [
        (200, JPEG, "image/jpeg"), (200, PNG, "image/png")]
    assert all(reply.headers["Cache-Control"] == "private, no-store" for reply in shown)

    # Another conversation's handoff does not open these photos, nor does anyone signed out.
    for photo in photos:
        borrowed = photo["url"].replace(f"/handoffs/{handoff}/", f"/handoffs/{other}/")
        assert agent.get(f"{base}{borrowed}", timeout=15).status_code == 404
        assert requests.get(f"{base}{photo['url']}", timeout=15).status_code == 401
    for bad in ("evidence/abc", "chat/..%2F..%2Fcourier.db", "other/1", f"chat/{'0' * 32}.png"):
        assert agent.get(f"{base}/console/api/handoffs/{handoff}/photos/{bad}", timeout=15).status_code == 404
    strangers = agent.get(f"{base}/console/api/handoffs/{other}/context", timeout=15).json()["photos"]
    assert [photo["kind"] for photo in strangers] == ["chat"]
