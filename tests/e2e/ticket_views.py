"""A ticket as the chat that filed it sees it: the backend shows a complaint's or claim's details only to that
chat (X-Conversation-Id, percent-encoded as the action server sends it) or with the phone's last 4 digits."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote


def filed_in(chat: Any, backend: Any, path: str) -> dict[str, Any]:
    """GET `path` (e.g. /complaints/CP…) on behalf of `chat`, the conversation that filed the ticket."""
    reply = backend.http.get(f"{backend.stack.backend_url}/api/v1{path}", timeout=15,
                             headers={"X-Conversation-Id": quote(chat.sender, safe="")})
    reply.raise_for_status()
    body = reply.json()
    assert body.get("details") is True, body
    return body
