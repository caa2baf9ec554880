"""Cross-site request forgery guard: the console's state-changing requests must come from its own pages.

The session cookie goes with every request the agent's browser sends to /console, whichever site's page
triggers it. So every request under /console that is not GET/HEAD/OPTIONS (accept, send, end, login, logout
and whatever route is added later) must name, in Origin (or, without it, Referer), the console's own origin
(scheme + Host of the request itself) or one of `settings.console_allowed_origins` (default: the origins of
PUBLIC_BASE_URL and the backend URL). A request naming neither header is refused too: browsers always send
Origin on cross-site POSTs and the console's pages send a same-origin Referer (Referrer-Policy same-origin), so
only a client that hides where it comes from lacks both. Refusals are 403 JSON before the body is read.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from urllib.parse import urlsplit

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.backend.public import ApiError
from bot.settings import get_settings

logger = logging.getLogger("bot.console")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PREFIX = "/console"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str | None) -> str | None:
    """`scheme://host[:port]` of an absolute http(s) URL, lower-case, default port left out; None if not one."""
    if not url or len(url) > 2048:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" if port in (None, _DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


@lru_cache(maxsize=8)
def _configured(raw: str, public_url: str, backend_url: str) -> frozenset[str]:
    names = [part for part in raw.split(",") if part.strip()] if raw.strip() else [public_url, backend_url]
    return frozenset(origin for origin in map(origin_of, names) if origin)


def allowed_origins(scope: Scope, headers: Headers) -> frozenset[str]:
    """The configured origins plus the console's own: the browser sets Host to the site the agent opened,
    and the session cookie only goes to that site, so Host names the origin the cookie belongs to."""
    settings = get_settings()
    configured = _configured(settings.console_allowed_origins, settings.public_backend_url,
                             settings.backend_base_url)
    own = origin_of(f"{scope.get('scheme', 'http')}://{headers.get('host', '')}")
    return configured | {own} if own else configured


def refusal(scope: Scope) -> ApiError | None:
    """Why this request may not change anything (None: it may)."""
    headers = Headers(scope=scope)
    claimed = headers.get("origin")
    source = "Origin"
    if claimed is None:
        claimed, source = headers.get("referer"), "Referer"
    if claimed is None:
        return ApiError(403, "origin_missing",
                        "抱歉，出于安全考虑，这个请求缺少来源信息（Origin），已被拒绝。请在客服工作台页面中操作。")
    if origin_of(claimed) in allowed_origins(scope, headers):
        return None
    logger.warning("console: refused a %s %s from %s %r", scope.get("method"), scope.get("path"), source,
                   claimed[:100])
    return ApiError(403, "cross_site_request",
                    "抱歉，出于安全考虑，工作台只接受来自工作台页面本身的操作请求。请在客服工作台页面中重试。")


def _guarded(scope: Scope) -> bool:
    if scope["type"] != "http" or scope.get("method", "GET") in SAFE_METHODS:
        return False
    path, root = scope.get("path", ""), scope.get("root_path", "")
    # The route the router will match: the path below the app's mount point, as Starlette computes it.
    path = path[len(root):] if root and path.startswith(root) else path
    return path == PREFIX or path.startswith(PREFIX + "/")


class ConsoleOriginGuard:
    """ASGI middleware: refuses a state-changing /console request from another site's page (see module doc)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = refusal(scope) if _guarded(scope) else None
        if error is None:
            await self.app(scope, receive, send)
            return
        await JSONResponse(error.body(), status_code=error.status)(scope, receive, send)
