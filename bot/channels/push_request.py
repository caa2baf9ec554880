"""Reading a push request: another process (backend, agent console, notifier) puts a message into a chat.

Every channel's push route accepts the same thing: a JSON body, authenticated with the backend's API key,
naming a recipient that could be a conversation id and carrying text that is cleaned like a customer's
message (lone surrogates, controls and invisible marks dropped) before any channel encodes it: a lone
surrogate sent as a JSON escape once made the WeChat push answer 502 (UTF-8 cannot encode it).
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.inbound_guard import MAX_SENDER_CHARS
from bot.settings import get_settings
from bot.text_hygiene import has_unsafe, remove_unsafe


def read_push_request(request: Request) -> tuple[Any, HTTPResponse | None]:
    """The parsed JSON body, or the error response to send back (401 without the key, 400 for bad JSON)."""
    # Sanic decodes header bytes that are not UTF-8 as surrogate escapes: encoding them must not raise (500).
    key = request.headers.get("X-API-Key", "")
    if not hmac.compare_digest(key.encode("utf-8", "surrogatepass"), get_settings().backend_api_key.encode()):
        return None, response.json({"error": "invalid or missing X-API-Key"}, status=401)
    try:
        return json.loads(request.body or b"{}"), None
    except ValueError:
        return None, response.json({"error": "body must be JSON"}, status=400)


def recipient_problem(recipient: Any, field: str) -> str | None:
    """Why `recipient` cannot name a conversation (in words for the caller); None when it can."""
    if not isinstance(recipient, str) or not recipient:
        return f"{field} is required"
    if len(recipient) > MAX_SENDER_CHARS:
        return f"{field} longer than {MAX_SENDER_CHARS} characters"
    if has_unsafe(recipient) or recipient != recipient.strip():
        return f"{field} must be printable text without surrounding spaces"
    return None


def clean_push_text(text: str) -> str:
    """The text to deliver: without characters no chat can show or encode, surrounding space stripped."""
    return remove_unsafe(text).strip()
