"""Assertions shared by the backend tests."""

from __future__ import annotations

import requests

from bot.chat_session_token import sign


def assert_error(response: requests.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.text[:500])
    detail = response.json()["detail"]
    assert isinstance(detail, dict) and detail["code"] and detail["message"], detail
    if code:
        assert detail["code"] == code, detail
    return detail


def chat_session_headers(session: str, secret: bytes) -> dict[str, str]:
    """What the chat page sends with a photo: its session id and the token the channel gave it (signed with the
    web process's chat session secret)."""
    return {"X-Chat-Session": session, "X-Chat-Session-Token": sign(session, secret)}
