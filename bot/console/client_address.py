"""The client address the console's login throttle counts failed logins against.

It is the peer the server hands over. The web process (`python -m bot.web_app`) has uvicorn put the
X-Forwarded-For address in its place only when `settings.trust_forwarded_headers` says a reverse proxy sets
that header (and the peer is one of uvicorn's FORWARDED_ALLOW_IPS); otherwise the request counts against the
socket peer it came from, so a sender cannot name a fresh address for every guess.
"""

from __future__ import annotations

from starlette.requests import Request


def client_address(request: Request) -> str | None:
    """The address to throttle, as the server resolved it (see bot/backend/__main__.py server_options)."""
    return request.client.host if request.client is not None else None
