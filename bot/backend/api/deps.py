"""Shared route dependencies: API key, idempotency header and the resource an idempotency key is scoped to.

They are `async` because they do no I/O: FastAPI runs sync dependencies in the thread pool, and each hop
there costs more than the check itself.
"""

from __future__ import annotations

import hashlib
import re
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


# Path parameters that name one resource under several spellings. The services look tracking and ticket
# numbers up upper-cased (tracking numbers also without spaces or dashes): cl20261123001 is CL20261123001.
_NUMBER_NOISE = re.compile(r"[\s\-]")


def _canonical_number(value: str) -> str:
    return _NUMBER_NOISE.sub("", value).upper()


_CANONICAL = {"number": _canonical_number, "tracking_number": _canonical_number}
ENDPOINT_MAX_CHARS = 255  # the idempotency table's column


def endpoint_of(request: Request) -> str:
    """The idempotency scope: method, route template and the canonical path parameters, so a retry spelled
    differently (case, spaces, percent-encoding) replays instead of writing the same thing twice."""
    route = request.scope.get("route")
    template = getattr(route, "path", None) or request.url.path
    params = [f"{name}={_CANONICAL.get(name, str)(str(value))}" for name, value in sorted(request.path_params.items())]
    scope = " ".join([request.method, template, *params])
    if len(scope) > ENDPOINT_MAX_CHARS:
        digest = hashlib.sha256(scope.encode("utf-8", "replace")).hexdigest()
        scope = f"{request.method} {template[:150]} sha256={digest}"
    return scope
