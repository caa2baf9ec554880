"""The real backend app for action unit tests: `python -m bot.backend` on a free port with its own var dir.

Actions are called directly (real `CollectingDispatcher`, `Tracker` built from events) and talk to this
backend over HTTP through the real client; nothing is mocked.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from actions.deferred_writes import set_outbox
from bot.clients.backend import BackendClient, set_client
from bot.outbox import Outbox

ROOT = Path(__file__).resolve().parents[2]
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


@pytest.fixture(autouse=True)
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    """Each test's own outbox file (actions keep confirmed writes there when the backend is down)."""
    box = Outbox(f"sqlite:///{tmp_path / 'outbox.db'}")
    set_outbox(box)
    yield box
    set_outbox(None)
    box.dispose()


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
