"""The client address the console's login throttle counts failed logins against.

The backend's server (uvicorn, proxy headers on by default) replaces the socket peer with the X-Forwarded-For
address whenever the peer is one of its trusted proxies (FORWARDED_ALLOW_IPS, default 127.0.0.1), and keeps no
port for it. Anyone able to connect from such a peer could then name a fresh address for every guess. So the
forwarded address counts only when `settings.trust_forwarded_headers` says a reverse proxy sets it; otherwise
the request counts against the peer it came from.
"""

from __future__ import annotations

import os

from starlette.requests import Request

from bot.settings import get_settings

FORWARDED_FOR = "x-forwarded-for"
# Stands for the peer when uvicorn trusts several proxies (or all) and did not keep which one it was.
UNNAMED_PROXY = "trusted-proxy"


def client_address(request: Request) -> str | None:
    """The address to throttle: the forwarded one only when trusted, else the socket peer."""
    client = request.client
    if client is None:
        return None
    if get_settings().trust_forwarded_headers or not _rewritten_from_forwarded_for(request):
        return client.host
    return _forwarding_peer()


def _rewritten_from_forwarded_for(request: Request) -> bool:
    # uvicorn sets port 0 on an address taken from X-Forwarded-For; a TCP peer always has a real port.
    return FORWARDED_FOR in request.headers and request.client is not None and request.client.port == 0


def _forwarding_peer() -> str:
    """The peer the request came from: one of uvicorn's trusted proxies (uvicorn's own default list)."""
    trusted = [host.strip() for host in os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1").split(",") if host.strip()]
    return trusted[0] if len(trusted) == 1 and trusted[0] != "*" else UNNAMED_PROXY
