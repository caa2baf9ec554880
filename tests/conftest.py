"""Fixtures shared by every test folder: a headless Chromium per test module, a private Redis namespace, and the
real backend (`python -m bot.backend` on a free port with its own var dir) with the backend client pointed at it,
for the actions' tests (tests/actions) and the client's own (tests/bot/clients)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from bot.clients.backend import BackendClient, set_client
from tests.support import CHROMIUM, CHROMIUM_ARGS, E2E_KPI, ROOT, require_service


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's Chromium driven by Playwright (test tools cannot download browsers here)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Chromium is not installed: run `make browser`.", pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def redis_namespace() -> Iterator[str]:
    """A namespace of its own in the shared Redis, removed afterwards."""
    require_service("Redis", "127.0.0.1", 6379)
    import redis

    namespace = f"test-{uuid.uuid4().hex}"
    yield namespace
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    keys = list(client.scan_iter(f"courier:{namespace}:*"))
    if keys:
        client.delete(*keys)


# The backend's key for web chat session tokens (its photo upload route checks them).
CHAT_SESSION_SECRET = "actions-test-chat-session-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def backend_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var_dir = tmp_path_factory.mktemp("actions-backend")
    port = _free_port()
    env = {**os.environ, "COURIER_VAR_DIR": str(var_dir), "BACKEND_PORT": str(port),
           "BACKEND_HOST": "127.0.0.1", "BACKEND_URL": "", "DATABASE_URL": "", "CHAT_SESSION_SECRET": CHAT_SESSION_SECRET}
    log = open(var_dir / "backend.log", "wb")  # noqa: SIM115 - closed in teardown
    process = subprocess.Popen([sys.executable, "-m", "bot.backend"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"backend exited: {(var_dir / 'backend.log').read_text()[-2000:]}", pytrace=False)
            try:
                if requests.get(f"{url}/health", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail("backend did not become healthy in 90 s", pytrace=False)
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture
def client(backend_url: str) -> Iterator[BackendClient]:
    real = BackendClient(base_url=backend_url)
    set_client(real)
    yield real
    set_client(None)


@pytest.fixture
def dead_client() -> Iterator[BackendClient]:
    """A client pointed at a closed port: the backend is down."""
    down = BackendClient(base_url=f"http://127.0.0.1:{_free_port()}", retries=1, backoff_s=0.01, timeout_s=0.5)
    set_client(down)
    yield down
    set_client(None)


@pytest.fixture
def api(backend_url: str):
    """Plain HTTP to the backend, to check what the actions stored."""

    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"X-API-Key": os.environ.get("BACKEND_API_KEY", "dev-local-key"), **kwargs.pop("headers", {})}
        return requests.request(method, f"{backend_url}{path}", headers=headers, timeout=10, **kwargs)

    return call


_COUNTS = ("conversations", "contained", "handed_off", "fallback")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # noqa: ANN001 (pytest-xdist's own types)
    """A pytest-xdist worker's end-to-end figures, kept by the controller for the summary."""
    figures = getattr(node, "workeroutput", {}).get("e2e_kpi")
    if figures:
        node.config.stash.setdefault(E2E_KPI, []).append(json.loads(figures))


def suite_figures(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The KPI figures of every stack of the run added up (one stack, or one per xdist worker)."""
    if any("error" in part for part in parts):
        return {"error": "; ".join(part["error"] for part in parts if "error" in part)}
    counts = {key: sum(part[key] for part in parts) for key in _COUNTS}
    total = counts["conversations"]
    return {**counts, "containment_rate": round(counts["contained"] / total, 4) if total else None,
            "fallback_rate": round(counts["fallback"] / total, 4) if total else None, "stacks": len(parts)}


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:  # noqa: ANN001 (a private type)
    """Issue 17 asks for the containment rate on the end-to-end conversations: printed after the run."""
    parts = config.stash.get(E2E_KPI, [])
    if parts and not hasattr(config, "workeroutput"):
        terminalreporter.write_line(f"e2e conversations, KPI page: {json.dumps(suite_figures(parts))}")
