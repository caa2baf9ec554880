"""Shared route dependencies: API key and idempotency header.

They are `async` because they do no I/O: FastAPI runs sync dependencies in the thread pool, and each hop
there costs more than the check itself.
"""

from __future__ import annotations

import secrets
from typing import Optional

from fastapi import Header, Request

from bot.backend.errors import ApiError
from bot.settings import get_settings


async def require_api_key(x_api_key: Optional[str] = Header(None, alias="X-API-Key")) -> None:
    expected = get_settings().backend_api_key
    if not x_api_key or not secrets.compare_digest(x_api_key.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "缺少或错误的接口密钥（X-API-Key）。")


async def idempotency_key(idempotency_key: Optional[str] = Header(None, alias="Idempotency-Key")) -> Optional[str]:
    return idempotency_key


def endpoint_of(request: Request) -> str:
    return f"{request.method} {request.url.path}"
