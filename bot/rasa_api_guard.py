"""Rasa's HTTP API behind a token: only the channel webhooks and socket.io are public.

Rasa's `--auth-token` protects the routes it decorates with `requires_auth`, but leaves `/` and `/version`
open, and a route a later Rasa adds undecorated would be open too. This request middleware refuses every
route outside the public prefixes unless `?token=` is the configured token (the same parameter Rasa reads),
so the rule does not depend on which routes Rasa remembered to decorate. With no token configured the API is
closed altogether rather than open.

CORS: Rasa's own CORS (sanic-cors) answers for the API routes; socket.io checks a handshake's Origin itself
(python-engineio, bot/channels/socketio.py) and adds its own CORS headers, so sanic-cors leaves its path alone
(two Access-Control-Allow-Origin headers make browsers refuse the answer).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import rasa
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

SOCKETIO_PATH = "/socket.io"
PUBLIC_PREFIXES = ("/webhooks/", f"{SOCKETIO_PATH}/")
# sanic-cors resource pattern (re.match on the path): everything but socket.io's own path
API_CORS_RESOURCE = r"^(?!/socket\.io(/|$)).*"


def is_public(path: str) -> bool:
    return path == SOCKETIO_PATH or path.startswith(PUBLIC_PREFIXES)


def token_matches(provided: str | None, token: str) -> bool:
    # Constant time: the comparison must not tell an attacker how much of a guess was right.
    return bool(token) and provided is not None and hmac.compare_digest(provided.encode(), token.encode())


def refusal(path: str, provided: str | None, token: str) -> HTTPResponse | None:
    """The 401 answer for a request to `path` with `?token=provided`, or None when it may go on."""
    if is_public(path) or token_matches(provided, token):
        return None
    return response.json(
        {"version": rasa.__version__, "status": "failure", "reason": "NotAuthenticated",
         "message": "Rasa's HTTP API needs the API token (?token=…); only /webhooks/… and socket.io are public.",
         "code": HTTPStatus.UNAUTHORIZED},
        status=HTTPStatus.UNAUTHORIZED)


def api_guard(token: str) -> Callable[[Request], Awaitable[HTTPResponse | None]]:
    async def guard(request: Request) -> HTTPResponse | None:
        return refusal(request.path, request.args.get("token"), token)

    return guard


def install_guard(app: Sanic, token: str) -> None:
    """Refuse API calls without the token; first in the chain, so nothing runs for a refused call."""
    if not token:
        logger.warning("RASA_API_TOKEN is not set: Rasa's HTTP API refuses every call (webhooks stay open).")
    # Sanic runs request middleware in order: ours goes before sanic-cors' and anything Rasa added.
    app.request_middleware.appendleft(api_guard(token))


def configure_cors_except_socketio(app: Sanic, cors_origins: Any = "") -> None:
    """Drop-in for rasa.server.configure_cors that leaves socket.io's path to socket.io's own CORS."""
    from sanic_cors import CORS

    app.config.CORS_AUTOMATIC_OPTIONS = True
    app.config.CORS_SUPPORTS_CREDENTIALS = True
    app.config.CORS_EXPOSE_HEADERS = "filename"
    CORS(app, resources={API_CORS_RESOURCE: {"origins": cors_origins or ""}}, automatic_options=True)
