"""The console's pages and static files; only the login page and its assets answer without a session."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bot.backend.public import ApiError, get_session
from bot.console.auth import COOKIE, LoginRequired, agent_for_token, page_agent, page_supervisor
from bot.console.models import Agent
from bot.console.origin_guard import ConsoleOriginGuard

STATIC = Path(__file__).resolve().parent / "static"
PUBLIC_ASSETS = {"console.css", "login.js"}
ASSETS = {"console.css", "login.js", "console.js", "kpi.js", "common.js", "review.js"}
# No inline scripts, no third-party origins: a script smuggled into a page could not run.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

page_router = APIRouter(prefix="/console", include_in_schema=False)


def _file(name: str) -> FileResponse:
    return FileResponse(STATIC / name, headers=SECURITY_HEADERS)


@page_router.get("/login")
def login_page() -> FileResponse:
    return _file("login.html")


@page_router.get("/")
def console_page(agent: Agent = Depends(page_agent)) -> FileResponse:
    return _file("console.html")


@page_router.get("/kpi")
def kpi_page(agent: Agent = Depends(page_agent)) -> FileResponse:
    return _file("kpi.html")


@page_router.get("/review")
def review_page(agent: Agent = Depends(page_supervisor)) -> FileResponse:
    return _file("review.html")


@page_router.get("/static/{name}")
def asset(name: str, request: Request, session: Session = Depends(get_session)) -> Response:
    if name not in ASSETS:
        raise ApiError(404, "not_found", "没有找到您要的资源。")
    if name not in PUBLIC_ASSETS and agent_for_token(session, request.cookies.get(COOKIE)) is None:
        raise ApiError(401, "login_required", "请先登录客服工作台。")
    return _file(name)


async def _to_login(request: Request, exc: LoginRequired) -> Response:
    return RedirectResponse("/console/login", status_code=303)


def install(app: FastAPI) -> None:
    """Everything the console adds to the web application (called once by bot/web_app, after the backend)."""
    from bot.console.api import console_router, public_router, service_router
    from bot.console.typing import router as typing_router

    app.add_exception_handler(LoginRequired, _to_login)
    # Added last, so it is the outermost layer: a cross-site request is refused before its body is read.
    app.add_middleware(ConsoleOriginGuard)
    app.include_router(service_router)
    app.include_router(public_router)
    app.include_router(console_router)
    app.include_router(page_router)
    app.include_router(typing_router)
