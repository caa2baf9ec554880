"""`create_app()`: the backend's API, then the console, then the chat page, in one FastAPI application.

The order is the behaviour: routes answer in the order added, and the middleware added last (the console's
origin guard) wraps everything, so a cross-site request is refused before any body is read.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.backend.public import backend_workers
from bot.backend.public import install as install_backend
from bot.console.public import console_workers
from bot.console.public import install as install_console
from bot.retention.background import RetentionPurger
from bot.web_app import chat_page


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Everything imported so far lives as long as the process: keep it out of the collector's full passes,
    # which otherwise show up as latency spikes in the p99.
    gc.collect()
    gc.freeze()
    # The retention purge spans every part's tables, so the process starts it, not the backend.
    workers = [*backend_workers(), *console_workers(), *([RetentionPurger()] if RetentionPurger.wanted() else [])]
    for worker in workers:
        worker.start()
    yield
    for worker in reversed(workers):
        worker.stop()


def create_app() -> FastAPI:
    app = FastAPI(title="Courier backend", version="1.0.0", lifespan=lifespan,
                  description="Tracking, quotes, pickups, complaints, claims, customers and KPIs.")
    install_backend(app)
    install_console(app)
    chat_page.install(app)
    return app
