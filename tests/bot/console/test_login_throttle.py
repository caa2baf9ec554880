"""Login backoff over HTTP against two real backend processes sharing one database (as several workers do).

Small numbers here (2 free failures per account+address, 4 per account, 6 per address, waits of 3 s doubling up
to 6 s) so backoff and its end are seen within a test; the defaults are 3, 10, 30 and 2 s up to 15 minutes.
The two workers stand behind a reverse proxy on the same host (TRUST_FORWARDED_HEADERS=1), so client addresses
come from X-Forwarded-For; without that setting, the header names no fresh address (the last test). The
backoff's arithmetic over hours is in tests/security/test_console_login_throttle.py (a test clock).
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

from tests.bot.backend.conftest import (
    ROOT,
    Backend,
    _create_pg_database,
    _drop_pg_database,
    start_backend,
    stop_backend,
)
from tests.bot.console.conftest import PASSWORD
from tests.support import require_service

BACKOFF_S, MAX_BACKOFF_S = 3, 6
THROTTLE_ENV = {"CONSOLE_LOGIN_FREE_FAILURES": "2", "CONSOLE_LOGIN_MAX_FAILURES": "4",
                "CONSOLE_LOGIN_MAX_FAILURES_PER_ADDRESS": "6", "CONSOLE_LOGIN_BACKOFF_S": str(BACKOFF_S),
                "CONSOLE_LOGIN_MAX_BACKOFF_S": str(MAX_BACKOFF_S), "CONSOLE_LOGIN_WINDOW_S": "600",
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
                         headers={"X-Forwarded-For": address, "Origin": backend.base_url}, timeout=30)


def new_address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


def assert_throttled(reply: requests.Response) -> int:
    assert reply.status_code == 429, (reply.status_code, reply.text)
    retry_after = int(reply.headers["Retry-After"])
    assert 1 <= retry_after <= MAX_BACKOFF_S
    detail = reply.json()["detail"]
    assert detail["code"] == "too_many_attempts" and detail["retry_after_s"] == retry_after
    assert "抱歉" in detail["message"] and "后再试" in detail["message"], detail["message"]
    return retry_after


def test_one_address_backs_off_on_every_worker_and_the_wait_doubles(two_workers) -> None:
    first, second = two_workers
    address = new_address()
    for n in range(2):  # the failures alternate between the workers: they count together
        assert attempt(two_workers[n % 2], "li", f"wrong-{n}", address).status_code == 401
    # That address waits now, on both workers, even with the right password; another address does not.
    assert_throttled(attempt(first, "li", PASSWORD, address))
    retry_after = assert_throttled(attempt(second, "li", PASSWORD, address))
    assert attempt(second, "li", "wrong-elsewhere", new_address()).status_code == 401
    time.sleep(retry_after + 0.5)
    assert attempt(first, "li", "wrong-again", address).status_code == 401
    assert assert_throttled(attempt(second, "li", PASSWORD, address)) > BACKOFF_S  # doubled
    time.sleep(MAX_BACKOFF_S + 0.5)
    assert attempt(first, "li", PASSWORD, address).status_code == 200


def test_guesses_from_many_addresses_do_not_keep_the_agent_out_of_their_usual_place(two_workers) -> None:
    first, second = two_workers
    office = new_address()
    assert attempt(first, "qian", PASSWORD, office).status_code == 200
    for n in range(4):  # the account-wide ceiling, reached from four addresses
        assert attempt(two_workers[n % 2], "qian", f"wrong-{n}", new_address()).status_code == 401
    assert_throttled(attempt(second, "qian", PASSWORD, new_address()))  # a new place waits
    assert attempt(second, "qian", PASSWORD, office).status_code == 200  # the usual place does not
    assert attempt(first, "zhao", PASSWORD, new_address()).status_code == 200  # nor does anyone else


def test_one_address_trying_many_accounts_backs_off_except_for_its_own_agents(two_workers) -> None:
    first, second = two_workers
    address = new_address()
    assert attempt(first, "zhao", PASSWORD, address).status_code == 200  # zhao works here
    for n in range(6):
        assert attempt(two_workers[n % 2], f"guess-{uuid.uuid4().hex[:6]}", "whatever-1", address).status_code == 401
    assert_throttled(attempt(first, f"guess-{uuid.uuid4().hex[:6]}", "whatever-1", address))
    assert_throttled(attempt(second, "li", PASSWORD, address))  # li never logged in from here
    assert attempt(second, "zhao", PASSWORD, address).status_code == 200
    assert attempt(first, "li", PASSWORD, new_address()).status_code == 200


def test_parallel_guesses_cannot_get_past_the_backoff(two_workers) -> None:
    username = "agent"
    with ThreadPoolExecutor(max_workers=12) as pool:
        replies = list(pool.map(lambda n: attempt(two_workers[n % 2], username, f"guess-{n}", new_address()),
                                range(12)))
    codes = sorted(reply.status_code for reply in replies)
    assert codes.count(401) == 4 and codes.count(429) == 8, codes
    time.sleep(BACKOFF_S + 0.5)
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


def test_without_a_trusted_proxy_a_new_forwarded_address_per_guess_does_not_escape_the_backoff(without_proxy) -> None:
    for _ in range(6):  # six guesses on six accounts, each claiming another address
        reply = attempt(without_proxy, f"guess-{uuid.uuid4().hex[:6]}", "whatever-1", new_address())
        assert reply.status_code == 401, reply.text
    # All came from this machine: it backs off, whatever address the next request claims.
    assert_throttled(attempt(without_proxy, "agent", PASSWORD, new_address()))
