"""Login throttle over HTTP against two real backend processes sharing one database (as several workers do).

Small limits here (3 failures per account, 5 per address, a 4-second lockout) so the lock and its end are seen
within a test; the defaults are 5, 20 and 15 minutes. The two workers stand behind a reverse proxy on the same host
(TRUST_FORWARDED_HEADERS=1), so client addresses come from X-Forwarded-For; without that setting, the header
names no fresh address (the last test).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.backend.conftest import (
    ROOT,
    Backend,
    _create_pg_database,
    _drop_pg_database,
    start_backend,
    stop_backend,
)
from tests.console.conftest import PASSWORD
from tests.support import require_service

LOCKOUT_S = 4
THROTTLE_ENV = {"CONSOLE_LOGIN_MAX_FAILURES": "3", "CONSOLE_LOGIN_MAX_FAILURES_PER_ADDRESS": "5",
                "CONSOLE_LOGIN_WINDOW_S": "600", "CONSOLE_LOGIN_LOCKOUT_S": str(LOCKOUT_S),
                "CONSOLE_DEMO_PASSWORD": PASSWORD}
BEHIND_PROXY_ENV = {**THROTTLE_ENV, "TRUST_FORWARDED_HEADERS": "1"}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def two_workers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Backend]]:
    pg_name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('throttle-db') / 'shared.db'}"
    else:
        require_service("PostgreSQL", "127.0.0.1", 5432)
        pg_name, url = _create_pg_database()
    backends: list[Backend] = []
    try:
        for name in ("worker-a", "worker-b"):  # one after the other: the first one migrates and seeds
            backends.append(start_backend(tmp_path_factory.mktemp(name), url, BEHIND_PROXY_ENV))
        for username in ("li", "zhao", "qian"):
            created = subprocess.run(
                [sys.executable, "-m", "bot.console.create_agent", "--username", username, "--team", "general",
                 "--password-stdin"], input=PASSWORD + "\n", text=True, capture_output=True, cwd=ROOT,
                env={**os.environ, "DATABASE_URL": url}, timeout=60)
            assert created.returncode == 0, created.stderr
        yield backends
    finally:
        for backend in backends:
            stop_backend(backend)
        if pg_name:
            _drop_pg_database(pg_name)


def attempt(backend: Backend, username: str, password: str, address: str) -> requests.Response:
    return requests.post(f"{backend.base_url}/console/api/login", json={"username": username, "password": password},
                         headers={"X-Forwarded-For": address}, timeout=30)


def new_address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


def assert_throttled(reply: requests.Response) -> int:
    assert reply.status_code == 429, (reply.status_code, reply.text)
    retry_after = int(reply.headers["Retry-After"])
    assert 1 <= retry_after <= LOCKOUT_S
    detail = reply.json()["detail"]
    assert detail["code"] == "too_many_attempts" and detail["retry_after_s"] == retry_after
    assert "抱歉" in detail["message"] and "后再试" in detail["message"], detail["message"]
    return retry_after


def test_an_account_is_locked_on_every_worker_after_repeated_failures_then_opens_again(two_workers) -> None:
    first, second = two_workers
    address = new_address()
    for n in range(3):  # the failures alternate between the workers: they count together
        assert attempt(two_workers[n % 2], "li", f"wrong-{n}", address).status_code == 401
    # Locked now, on both workers, even with the right password and from another address.
    assert_throttled(attempt(first, "li", PASSWORD, address))
    retry_after = assert_throttled(attempt(second, "li", PASSWORD, new_address()))
    # Other accounts are not affected.
    assert attempt(second, "zhao", PASSWORD, new_address()).status_code == 200
    time.sleep(retry_after + 0.2)
    assert attempt(first, "li", PASSWORD, address).status_code == 200


def test_a_successful_login_resets_the_account_count(two_workers) -> None:
    first, second = two_workers
    for n in range(2):
        assert attempt(first, "qian", f"wrong-{n}", new_address()).status_code == 401
    assert attempt(second, "qian", PASSWORD, new_address()).status_code == 200
    for n in range(2):
        assert attempt(second, "qian", f"wrong-again-{n}", new_address()).status_code == 401
    assert attempt(first, "qian", PASSWORD, new_address()).status_code == 200


def test_one_address_trying_many_accounts_is_locked(two_workers) -> None:
    first, second = two_workers
    address = new_address()
    for n in range(5):
        assert attempt(two_workers[n % 2], f"guess-{uuid.uuid4().hex[:6]}", "whatever-1", address).status_code == 401
    assert_throttled(attempt(first, "zhao", PASSWORD, address))
    assert attempt(second, "zhao", PASSWORD, new_address()).status_code == 200


def test_parallel_guesses_cannot_get_past_the_limit(two_workers) -> None:
    username = "agent"
    with ThreadPoolExecutor(max_workers=12) as pool:
        replies = list(pool.map(lambda n: attempt(two_workers[n % 2], username, f"guess-{n}", new_address()),
                                range(12)))
    codes = sorted(reply.status_code for reply in replies)
    assert codes.count(401) == 3 and codes.count(429) == 9, codes
    time.sleep(LOCKOUT_S + 0.2)
    assert attempt(two_workers[0], username, PASSWORD, new_address()).status_code == 200


def test_the_passwords_tried_never_reach_the_log(two_workers) -> None:
    secret = f"leak-check-{uuid.uuid4().hex}"
    for backend in two_workers:
        attempt(backend, "li", secret, new_address())
        attempt(backend, "li", PASSWORD, new_address())
    time.sleep(0.5)
    for backend in two_workers:
        log = backend.log_text()
        assert secret not in log and PASSWORD not in log


@pytest.fixture(scope="module")
def without_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """A backend with the default setting: no reverse proxy is trusted to name the client's address."""
    backend = start_backend(tmp_path_factory.mktemp("no-proxy"), "", {**THROTTLE_ENV, "TRUST_FORWARDED_HEADERS": "0"})
    yield backend
    stop_backend(backend)


def test_without_a_trusted_proxy_a_new_forwarded_address_per_guess_does_not_escape_the_limit(without_proxy) -> None:
    for _ in range(5):  # five guesses on five accounts, each claiming another address
        reply = attempt(without_proxy, f"guess-{uuid.uuid4().hex[:6]}", "whatever-1", new_address())
        assert reply.status_code == 401, reply.text
    # All came from this machine: it is locked, whatever address the next request claims.
    assert_throttled(attempt(without_proxy, "agent", PASSWORD, new_address()))
