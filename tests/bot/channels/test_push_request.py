"""Push requests into a chat: the API key is required and the body must be JSON."""

from __future__ import annotations

import json
from types import SimpleNamespace

from bot.channels.push_request import read_push_request
from bot.settings import get_settings


def request(body: bytes, key: str | None) -> SimpleNamespace:
    headers = {"X-API-Key": key} if key is not None else {}
    return SimpleNamespace(headers=headers, body=body)


def test_without_the_key_nothing_is_read() -> None:
    body, refusal = read_push_request(request(b'{"text": "hi"}', None))
    assert body is None and refusal.status == 401
    body, refusal = read_push_request(request(b'{"text": "hi"}', "wrong-key"))
    assert body is None and refusal.status == 401


def test_bad_json_is_refused_with_a_reason() -> None:
    body, refusal = read_push_request(request(b"{not json", get_settings().backend_api_key))
    assert body is None and refusal.status == 400
    assert json.loads(refusal.body)["error"] == "body must be JSON"


def test_a_good_request_gives_its_body() -> None:
    payload = {"session_id": "abc", "text": "您好，我是人工客服小王"}
    body, refusal = read_push_request(request(json.dumps(payload).encode(), get_settings().backend_api_key))
    assert refusal is None and body == payload
