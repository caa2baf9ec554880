"""A bounded schemathesis run of the backend's own OpenAPI schema: no operation answers 5xx (issue 13).

The real backend (`python -m bot.backend`, over HTTP) on a temporary SQLite file and on a fresh PostgreSQL
database (skipped without PostgreSQL on a developer machine, a failure when env CI is set). The schema is read
from the running server, so a route added later is fuzzed without touching this file. Every operation gets a
fixed, small budget of generated requests, schema-conforming ("positive") and schema-violating ("negative"),
derandomised so that every run sends the same requests. They carry the backend's API key and a logged-in
agent's console cookie (with the console's own Origin, which its CSRF guard wants), so that they reach the route
code instead of stopping at a 401/403. The check is schemathesis's `not_a_server_error`, nothing else.

Examples are not shrunk, which keeps the run bounded (about 10 s per database on a 2-core machine, 30 s for the
whole test with the backends' start); a failure lists every 5xx with a curl command that reproduces it.
OPENAPI_FUZZ_EXAMPLES raises the budget for a deeper run by hand (100 sends about 10,000 requests per database).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import DataGenerationMethod
from schemathesis.checks import not_a_server_error
from schemathesis.exceptions import CheckFailed, SkipTest
from schemathesis.specs.openapi.negative import mutations

from bot.console.auth import COOKIE
from tests.bot.backend.conftest import (
    API_KEY,
    Backend,
    _create_pg_database,
    _drop_pg_database,
    start_backend,
    stop_backend,
)
from tests.support import require_service

pytestmark = [pytest.mark.security,
              # hypothesis warns when it builds the (unused) repr of a strategy for a large request schema
              pytest.mark.filterwarnings("ignore:Generating overly large repr")]

PASSWORD = secrets.token_hex(8)
# A DATABASE_URL chooses the production profile, which refuses demo secrets.
ENV = {"POD_LINK_SECRET": secrets.token_hex(16), "CONSOLE_DEMO_PASSWORD": PASSWORD,
       "RASA_API_TOKEN": secrets.token_hex(16), "CHAT_SESSION_SECRET": secrets.token_hex(16),
       "BACKEND_SEED_ON_START": "1", "PARCEL_NOTICES_ENABLED": "0"}
# Per operation and per generation method: 2 × 5 = 10 requests per operation.
EXAMPLES_PER_METHOD = int(os.environ.get("OPENAPI_FUZZ_EXAMPLES", "5"))
GENERATION = (DataGenerationMethod.positive, DataGenerationMethod.negative)
# Left out only because it is destructive to this test's own session: logout ends the agent's session, and every
# console operation fuzzed after it would only see 401. The console's event stream never ends by design (a read
# of its whole body would wait forever); tests/bot/console/test_console_stream.py sends it bad Last-Event-IDs.
EXCLUDED = {("POST", "/console/api/logout"), ("GET", "/console/api/stream")}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    pg_name = None
    if request.param == "sqlite":
        url = ""
    else:
        require_service("PostgreSQL", "127.0.0.1", 5432)
        pg_name, url = _create_pg_database()
    running = start_backend(tmp_path_factory.mktemp(f"openapi-fuzz-{request.param}"), url, ENV)
    try:
        yield running
    finally:
        stop_backend(running)
        if pg_name:
            _drop_pg_database(pg_name)


@pytest.fixture()
def openapi_31() -> Iterator[None]:
    """FastAPI publishes OpenAPI 3.1, which schemathesis 3.21 reads only with its experimental 3.1 support.

    Its negative examples still assume 3.0's boolean exclusiveMinimum/exclusiveMaximum, which need a minimum/maximum
    beside them (KeyError 'minimum' on `weight_kg: {exclusiveMinimum: 0}`); in 3.1 they are numbers that stand
    alone, so negating one alone is right."""
    schemathesis.experimental.OPEN_API_3_1.enable()
    dependencies = mutations.DEPENDENCIES
    mutations.DEPENDENCIES = {}
    yield
    mutations.DEPENDENCIES = dependencies
    schemathesis.experimental.OPEN_API_3_1.disable()


def _console_token(backend: Backend) -> str:
    login = requests.post(f"{backend.base_url}/console/api/login", json={"username": "agent", "password": PASSWORD},
                          headers={"Origin": backend.base_url}, timeout=15)
    assert login.status_code == 200, login.text
    return login.cookies[COOKIE]


def _fuzz(operation: Any, method: DataGenerationMethod, call: Any) -> bool:
    """Send the operation's budget of `method` examples; False when schemathesis cannot make any (a negative
    example for an operation without parameters or body)."""

    @settings(max_examples=EXAMPLES_PER_METHOD, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck), print_blob=False)
    @given(case=operation.as_strategy(data_generation_method=method))
    def run(case: Any) -> None:
        call(case)

    try:
        run()
    except SkipTest:
        return False
    return True


def test_no_operation_of_the_openapi_schema_answers_5xx(backend: Backend, openapi_31: None) -> None:
    started = time.monotonic()
    token = _console_token(backend)
    schema = schemathesis.from_uri(f"{backend.base_url}/openapi.json", base_url=backend.base_url,
                                   data_generation_methods=list(GENERATION))
    http = requests.Session()
    # The API key and the console's own origin win over whatever the generator put in these headers, the agent's
    # session cookie over a generated one.
    auth = {"X-API-Key": API_KEY, "Origin": backend.base_url}
    failures: list[str] = []
    sent: dict[str, int] = {}
    statuses: dict[int, int] = {}

    def call(case: Any) -> None:
        label = case.operation.verbose_name
        case.cookies = {**(case.cookies or {}), COOKIE: token}
        sent[label] = sent.get(label, 0) + 1
        try:
            response = case.call(session=http, headers=auth, timeout=30)
        except requests.RequestException as error:
            failures.append(f"{label}: no answer ({error!r})\n  {case.as_curl_command(headers=auth)}")
            return
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=(not_a_server_error,))
        except CheckFailed:
            failures.append(f"{label}: {response.status_code} {response.text[:200]!r}\n  "
                            f"{case.as_curl_command(headers=auth)}")

    operations = [result.ok() for result in schema.get_all_operations()]
    fuzzed = [op for op in operations if (op.method.upper(), op.path) not in EXCLUDED]
    # The schema is the whole app (API, sign-off photos, console), not an empty or partial one.
    assert len(fuzzed) >= 50, [op.verbose_name for op in operations]
    assert any(op.path.startswith("/console/api/") for op in fuzzed)
    without_negative = []
    for operation in fuzzed:
        for method in GENERATION:
            if not _fuzz(operation, method, call):
                assert method is DataGenerationMethod.negative, operation.verbose_name
                without_negative.append(operation.verbose_name)

    print(f"\n{backend.database}: {len(fuzzed)} operations, {sum(sent.values())} requests in "
          f"{time.monotonic() - started:.1f} s; statuses {dict(sorted(statuses.items()))}; "
          f"no negative example possible for {without_negative}")
    assert not failures, f"{len(failures)} answers were 5xx or missing:\n" + "\n".join(failures)
    assert not [op.verbose_name for op in fuzzed if not sent.get(op.verbose_name)], "operations never called"
    # Still well afterwards, the agent still logged in (so the console's routes were fuzzed authenticated), and
    # no 5xx anywhere in the server's access log.
    assert requests.get(f"{backend.base_url}/health", timeout=5).status_code == 200
    me = requests.get(f"{backend.base_url}/console/api/me", cookies={COOKIE: token}, timeout=5)
    assert me.status_code == 200, me.text
    assert '" 50' not in backend.log_text(), backend.log_text()[-3000:]
