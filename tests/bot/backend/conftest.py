"""The backend under test, started for real: `python -m bot.backend` on a free port, over HTTP.

Runs once on a temporary SQLite file and once on a fresh PostgreSQL database (created and dropped here).
Without PostgreSQL the second run skips on a developer machine and fails when env CI is set.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import ROOT

API_KEY = "test-backend-key"
# A DATABASE_URL chooses the production profile, which refuses to start with the demo secrets.
PRODUCTION_TEST_SECRETS = {"POD_LINK_SECRET": "test-pod-link-secret", "RASA_API_TOKEN": "test-rasa-api-token",
                           "CONSOLE_DEMO_PASSWORD": "test-console-password",
                           "CHAT_SESSION_SECRET": "test-chat-session-secret"}
PG_HOST, PG_PORT = "127.0.0.1", 5432


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Backend:
    base_url: str
    var_dir: Path
    log_path: Path
    database: str
    process: subprocess.Popen
    http: requests.Session = field(default_factory=requests.Session)

    def url(self, path: str) -> str:
        return f"{self.base_url}/api/v1{path}"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.url(path), timeout=15, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.post(self.url(path), timeout=15, **kwargs)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def require_postgres() -> None:
    """Skip without PostgreSQL on a developer machine; fail in CI."""
    if not _reachable(PG_HOST, PG_PORT):
        message = f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI requires it)")
        pytest.skip(message)


def _create_pg_database() -> tuple[str, str]:
    import psycopg2

    name = f"courier_test_{uuid.uuid4().hex[:10]}"
    connection = psycopg2.connect(host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return name, f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{name}"


def _drop_pg_database(name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


class RasaReceiver:
    """Rasa's trigger_intent endpoint as the backend's notifier sees it: records each call, answers
    `status` (200, or 500 to test retries). Stands in for Rasa only here; the e2e suite uses the real one."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                receiver.calls.append({"path": self.path, "body": body, "answered": receiver.status})
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="session")
def rasa_receiver() -> Iterator[RasaReceiver]:
    receiver = RasaReceiver()
    yield receiver
    receiver.close()


def start_backend(var_dir: Path, database_url: str, extra_env: dict[str, str] | None = None,
                  rasa_url: str = "http://127.0.0.1:9") -> Backend:
    port = _free_port()
    env = {**os.environ, "COURIER_VAR_DIR": str(var_dir), "BACKEND_PORT": str(port), "BACKEND_HOST": "127.0.0.1",
           "BACKEND_API_KEY": API_KEY, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1",
           "RASA_URL": rasa_url, "PARCEL_NOTICE_POLL_S": "0.2", **PRODUCTION_TEST_SECRETS, **(extra_env or {})}
    var_dir.mkdir(parents=True, exist_ok=True)
    log_path = var_dir / "backend.log"
    log = log_path.open("w")
    process = subprocess.Popen([sys.executable, "-m", "bot.backend"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    backend = Backend(base, var_dir, log_path, database_url or "sqlite", process)
    backend.http.headers["X-API-Key"] = API_KEY
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"backend exited with {process.returncode}:\n{backend.log_text()[-3000:]}")
        try:
            if requests.get(f"{base}/health", timeout=1).status_code == 200:
                return backend
        except requests.RequestException:
            pass
        time.sleep(0.3)
    process.terminate()
    pytest.fail(f"backend did not become healthy in 90 s:\n{backend.log_text()[-3000:]}")


def stop_backend(backend: Backend) -> None:
    backend.process.terminate()
    try:
        backend.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        backend.process.kill()


@pytest.fixture(scope="session", params=[pytest.param("sqlite", id="sqlite"),
                                         pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            rasa_receiver: RasaReceiver) -> Iterator[Backend]:
    var_dir = tmp_path_factory.mktemp(f"backend-{request.param}")
    if request.param == "sqlite":
        running = start_backend(var_dir, "", rasa_url=rasa_receiver.url)
        yield running
        stop_backend(running)
        return
    require_postgres()
    name, url = _create_pg_database()
    try:
        running = start_backend(var_dir, url, rasa_url=rasa_receiver.url)
        yield running
        stop_backend(running)
    finally:
        _drop_pg_database(name)
