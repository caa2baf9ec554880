"""The backend's share of the web application: API routes, health check, error shape, body limit, and the
parcel-notice worker.

The backend does not build the application: bot/web_app does, and asks the backend (through
bot/backend/public.py) to `install` itself and for its `backend_workers`, then adds the console and the chat
page. So the backend knows nothing of the parts served beside it.
"""

from __future__ import annotations

from typing import Any, Protocol

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.backend.api import api_router
from bot.backend.api import chat_uploads as chat_upload_route
from bot.backend.api import pod as pod_photo_route
from bot.backend.db import get_engine
from bot.backend.errors import ApiError, install_error_handlers
from bot.backend.notifier import Notifier
from bot.backend.request_hygiene import RequestHygiene
from bot.backend.services.working_days import working_calendar
from bot.settings import get_settings


class BodyLimit:
    """Refuses a body larger than settings.max_request_bytes (413): by its Content-Length when declared, else
    (chunked uploads) by counting while buffering it, so no request can make the service hold more."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.limit:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        error = ApiError(413, "payload_too_large", "提交的内容太大了，请精简后再试。")
        await JSONResponse(error.body(), status_code=413)(scope, receive, send)


def health() -> dict[str, Any]:
    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok", "database": get_engine().dialect.name}


class Worker(Protocol):
    """A background thread the web process starts after start-up and stops at shutdown."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


def backend_workers() -> list[Worker]:
    """The backend's background work for this process: sending pending parcel notices, when enabled."""
    return [Notifier()] if get_settings().parcel_notices_enabled else []


def install(app: FastAPI) -> None:
    """The backend's routes, error shape and request limits, added to the web application being assembled.

    Called first, so the console's routes and middleware (added after) behave as they did when the backend
    built the app: the console's origin guard ends up outside these layers.
    """
    # A malformed holiday calendar stops the start here instead of giving customers wrong payout dates.
    working_calendar()
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=get_settings().max_request_bytes)
    # Outermost of the backend's layers: a path or query string no honest client sends is refused before
    # anything else of the backend reads it.
    app.add_middleware(RequestHygiene)
    app.add_api_route("/health", health, methods=["GET"], tags=["health"])
    app.include_router(api_router)
    app.include_router(pod_photo_route.router)
    app.include_router(chat_upload_route.router)
