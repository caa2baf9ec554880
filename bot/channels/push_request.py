"""Reading a push request: another process (backend, agent console, notifier) puts a message into a chat.

Every channel's push route accepts the same thing: a JSON body, authenticated with the backend's API key.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import get_settings


def read_push_request(request: Request) -> tuple[Any, HTTPResponse | None]:
    """The parsed JSON body, or the error response to send back (401 without the key, 400 for bad JSON)."""
    key = request.headers.get("X-API-Key", "")
    if not hmac.compare_digest(key.encode(), get_settings().backend_api_key.encode()):
        return None, response.json({"error": "invalid or missing X-API-Key"}, status=401)
    try:
        return json.loads(request.body or b"{}"), None
    except ValueError:
        return None, response.json({"error": "body must be JSON"}, status=400)
