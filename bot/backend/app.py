"""The FastAPI application: API routes, health check, error shape, body limit, web chat static files.

Other parts (an agent console…) plug in by adding their router or mount in `create_app`.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.backend.api import api_router
from bot.backend.api import pod as pod_photo_route
from bot.backend.db import get_engine
from bot.backend.errors import ApiError, install_error_handlers
from bot.backend.notifier import Notifier
from bot.backend.services.working_days import working_calendar
from bot.console.pages import install as install_console
from bot.settings import get_settings

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


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


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Everything imported so far lives as long as the process: keep it out of the collector's full passes,
    # which otherwise show up as latency spikes in the p99.
    gc.collect()
    gc.freeze()
    notifier = Notifier() if get_settings().parcel_notices_enabled else None
    if notifier:
        notifier.start()
    yield
    if notifier:
        notifier.stop()


def create_app() -> FastAPI:
    app = FastAPI(title="Courier backend", version="1.0.0", lifespan=lifespan,
                  description="Tracking, quotes, pickups, complaints, claims, customers and KPIs.")
    # A malformed holiday calendar stops the start here instead of giving customers wrong payout dates.
    working_calendar()
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=get_settings().max_request_bytes)
    app.add_api_route("/health", health, methods=["GET"], tags=["health"])
    app.include_router(api_router)
    app.include_router(pod_photo_route.router)
    install_console(app)
    WEB_DIR.mkdir(parents=True, exist_ok=True)
    app.mount("/chat", StaticFiles(directory=str(WEB_DIR), html=True), name="chat")
    return app


app = create_app()
