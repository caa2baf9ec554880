"""The real backend app for the console tests: `python -m bot.backend` on a free port (tests/bot/backend fixture).

Two backends: one whose agents are on duty now, one whose agents are off duty now (the working hours are set
around the current time), so routing and the out-of-hours path are both tested over HTTP.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.bot.backend.conftest import API_KEY, ROOT, Backend, _free_port, start_backend, stop_backend

PASSWORD = "secret-pass-123"


def _hours_around_now(on_duty: bool) -> dict[str, str]:
    hour = datetime.now(ZoneInfo("Asia/Shanghai")).hour
    start, end = ((hour - 1) % 24, (hour + 2) % 24) if on_duty else ((hour + 2) % 24, (hour + 3) % 24)
    return {"AGENT_HOURS_START": f"{start:02d}:00", "AGENT_HOURS_END": f"{end:02d}:00"}


def _env(backend: Backend) -> dict[str, str]:
    return {**os.environ, "COURIER_VAR_DIR": str(backend.var_dir), "DATABASE_URL": ""}


def create_agent(backend: Backend, username: str, team: str, name: str) -> subprocess.CompletedProcess:
    """Through the documented CLI, against the test backend's database."""
    return subprocess.run(
        [sys.executable, "-m", "bot.console.create_agent", "--username", username, "--team", team, "--name", name,
         "--password-stdin"],
        input=PASSWORD + "\n", text=True, capture_output=True, cwd=ROOT, env=_env(backend), timeout=60)


def _start(tmp_path_factory: pytest.TempPathFactory, name: str, on_duty: bool) -> Backend:
    var_dir = tmp_path_factory.mktemp(name)
    # Rasa is not running for these tests: pushes to a closed port fail fast and are recorded as undelivered.
    env = {**_hours_around_now(on_duty), "RASA_URL": f"http://127.0.0.1:{_free_port()}", "CONSOLE_DEMO_PASSWORD": PASSWORD}
    return start_backend(var_dir, "", env)


@pytest.fixture(scope="session")
def desk_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    backend = _start(tmp_path_factory, "console-on-duty", on_duty=True)
    try:
        for username, team, name in (("li", "general", "李娜"), ("zhao", "general", "赵敏"),
                                     ("qian", "complaints", "钱静"), ("sun", "claims", "孙强"), ("vipdesk", "vip", "周经理")):
            result = create_agent(backend, username, team, name)
            assert result.returncode == 0, result.stderr
        yield backend
    finally:
        stop_backend(backend)


@pytest.fixture(scope="session")
def closed_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    backend = _start(tmp_path_factory, "console-off-duty", on_duty=False)
    yield backend
    stop_backend(backend)


def login(backend: Backend, username: str, password: str = PASSWORD) -> requests.Session:
    agent = requests.Session()
    # What the console's pages send: their state-changing requests are refused without it (origin_guard.py).
    agent.headers["Origin"] = backend.base_url
    reply = agent.post(f"{backend.base_url}/console/api/login", json={"username": username, "password": password},
                       timeout=15)
    assert reply.status_code == 200, reply.text
    return agent


def open_handoff(backend: Backend, conversation: str, reason: str = "asked_for_human", **extra) -> dict:
    body = {"conversation_id": conversation, "channel": "socketio", "reason": reason, **extra}
    reply = backend.post("/handoffs", json=body)
    assert reply.status_code == 201, reply.text
    return reply.json()


__all__ = ["API_KEY", "PASSWORD", "Path", "create_agent", "login", "open_handoff"]
