"""ASGI middleware: refuses (400) a request whose path or query string carries characters that no honest
client sends, and (414) an absurdly long path, before any route, static file or database sees them.

The body's fields are checked by the schemas (bot/backend/input_hygiene.py); this covers what reaches the
routes outside a body: a percent-encoded NUL in a path parameter is refused by PostgreSQL and crashes the
static files, a control character in a query value can forge log lines. Header values need no check here:
uvicorn's HTTP parser already refuses control characters in them (400) before the app is called.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.backend.errors import ApiError
from bot.backend.input_hygiene import has_unsafe_characters

# Longer than any route's template with its parameters, short enough that no path is worth storing.
MAX_PATH_CHARS = 2048


def refusal(scope: Scope) -> ApiError | None:
    """Why the request must be refused, or None."""
    path = scope.get("path", "")
    if len(path) > MAX_PATH_CHARS:
        return ApiError(414, "uri_too_long", "请求地址太长了，请检查后再试。")
    if has_unsafe_characters(path):
        return ApiError(400, "invalid_characters", "请求地址中含有无法识别的字符，请检查后再试。")
    query = scope.get("query_string", b"").decode("latin-1")
    # Query values are percent-decoded the way the routes will see them (invalid UTF-8 becomes U+FFFD).
    for name, value in parse_qsl(query, keep_blank_values=True):
        if has_unsafe_characters(name) or has_unsafe_characters(value):
            return ApiError(400, "invalid_characters", "请求参数中含有无法识别的字符，请检查后再试。")
    return None


class RequestHygiene:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            error = refusal(scope)
            if error is not None:
                await JSONResponse(error.body(), status_code=error.status)(scope, receive, send)
                return
        await self.app(scope, receive, send)
