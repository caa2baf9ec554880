"""The backend app in-process for the console's security tests: a fresh SQLite file, agents created through
bot.console.agents, a clock the test moves, and client addresses named by X-Forwarded-For (the app is wrapped
in uvicorn's proxy-header middleware, as `python -m bot.backend` does with TRUST_FORWARDED_HEADERS=1)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import Response
from starlette.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from bot.backend import db
from bot.backend.clock import utcnow
from bot.console import login_throttle
from bot.console.agents import create_agent
from bot.settings import get_settings

PASSWORD = "secret-pass-123"
ORIGIN = "http://testserver"  # TestClient's own origin: what the console's pages send


class FakeClock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class ConsoleApp:
    client: TestClient
    clock: FakeClock
    app: FastAPI

    def login(self, username: str, password: str, address: str, **headers: str) -> Response:
        return self.client.post("/console/api/login", json={"username": username, "password": password},
                                headers={"X-Forwarded-For": address, "Origin": ORIGIN, **headers})


def _reset_caches() -> None:
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    db._session_factory.cache_clear()


def start_console_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> Iterator[ConsoleApp]:
    """For a test module's fixture: `yield from start_console_app(tmp_path, monkeypatch, {settings})`."""
    monkeypatch.setenv("COURIER_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'console.db'}")
    monkeypatch.setenv("PARCEL_NOTICES_ENABLED", "0")
    for name in ("CONSOLE_ALLOWED_ORIGINS", "PUBLIC_BASE_URL", "BACKEND_URL", "TRUST_FORWARDED_HEADERS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _reset_caches()
    db.run_migrations()
    with db.new_session() as session:
        for username, team in (("agent", "general"), ("li", "general"), ("zhao", "general"), ("qian", "complaints")):
            create_agent(session, username, PASSWORD, team)
    clock = FakeClock()
    monkeypatch.setattr(login_throttle, "utcnow", clock)
    from bot.web_app import create_app

    app = create_app()
    client = TestClient(ProxyHeadersMiddleware(app, trusted_hosts="*"))
    try:
        yield ConsoleApp(client, clock, app)
    finally:
        client.close()
        db.get_engine().dispose()
        monkeypatch.undo()
        _reset_caches()
