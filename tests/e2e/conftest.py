"""The real stack for end-to-end tests: backend, action server and Rasa with the trained model.

Started once per test session on free ports with its own var dir, so it never collides with `make run` or
another test run. If it cannot start, every test using it fails (never skips) with the reason and log tail.

Use it as:
    @pytest.mark.e2e
    def test_something(stack):
        replies = stack.rest_turn("tester-1", "在吗")
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.settings import ROOT, get_settings
from bot.stack import DEFAULT_MODEL, Ports, Stack, StackError, log_tail

# The WeChat account of the shared stack (its environment must be set before the stack starts) and the
# fixtures playing WeChat's side, registered here once for every module that uses them.
from tests.e2e.wechat_account import wechat, wechat_api  # noqa: F401
from tests.support import E2E_KPI

# Developers may point the tests at another model file; `make test` uses the one `make train` produced.
MODEL = Path(os.environ.get("COURIER_E2E_MODEL") or DEFAULT_MODEL)
SUPERVISOR_PASSWORD = "review-pass-2026"


@dataclass
class RunningStack:
    stack: Stack
    var_dir: Path
    startup_seconds: float
    model: Path = MODEL

    @property
    def rasa_url(self) -> str:
        return self.stack.rasa_url

    @property
    def backend_url(self) -> str:
        return self.stack.backend_url

    @property
    def actions_url(self) -> str:
        return self.stack.actions_url

    @property
    def api_key(self) -> str:
        return get_settings().backend_api_key

    @property
    def rasa_auth(self) -> dict[str, str]:
        """Query parameters for Rasa's HTTP API (everything but the webhooks needs the stack's token)."""
        return {"token": self.stack.rasa_api_token}

    @property
    def chat_url(self) -> str:
        """The web chat page (the backend tells it where this stack's Rasa listens: /chat/config.js)."""
        return f"{self.backend_url}/chat/"

    def rest_turn(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[dict]:
        """One customer message over Rasa's REST channel; the bot's replies."""
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        reply = requests.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        reply.raise_for_status()
        return reply.json()

    def parse(self, text: str) -> dict:
        reply = requests.post(f"{self.rasa_url}/model/parse", json={"text": text}, params=self.rasa_auth, timeout=30)
        reply.raise_for_status()
        return reply.json()

    def push(self, session_id: str, text: str, **extra: Any) -> requests.Response:
        """Put a message into a web chat session through the socket.io channel's push route."""
        return requests.post(
            f"{self.rasa_url}/webhooks/socketio/push",
            json={"session_id": session_id, "text": text, **extra},
            headers={"X-API-Key": self.api_key},
            timeout=30,
        )

    def log(self, name: str, lines: int = 60) -> str:
        """The end of a service's log (backend, actions, rasa), for assertion messages."""
        return log_tail(self.var_dir / "logs" / f"{name}.log", lines)

    def supervisor(self) -> requests.Session:
        """A logged-in console session of a supervisor (created, or reset, with the project's own command)."""
        created = subprocess.run(
            [sys.executable, "-m", "bot.console.create_agent", "--username", "e2e-lead", "--team", "general",
             "--role", "supervisor", "--password-stdin", "--reset"],
            input=SUPERVISOR_PASSWORD + "\n", text=True, capture_output=True, cwd=ROOT, timeout=120,
            env={**os.environ, "COURIER_VAR_DIR": str(self.var_dir),
                 "DATABASE_URL": os.environ.get("DATABASE_URL", "")})
        assert created.returncode == 0, created.stderr
        session = requests.Session()
        session.headers["Origin"] = self.backend_url
        login = session.post(f"{self.backend_url}/console/api/login",
                             json={"username": "e2e-lead", "password": SUPERVISOR_PASSWORD}, timeout=15)
        assert login.status_code == 200 and login.json()["role"] == "supervisor", login.text
        return session


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[RunningStack]:
    var_dir = tmp_path_factory.mktemp("stack-var")
    running = Stack()
    _stop_on_sigterm(running)
    started = time.monotonic()
    try:
        # Conversations must not depend on the hour CI runs at: agents are on duty around the clock here
        # (out-of-hours callbacks are tested in tests/bot/console with fixed clocks).
        running.start(Ports.free(), model=MODEL, var_dir=var_dir,
                      env={"AGENT_HOURS_START": "00:00", "AGENT_HOURS_END": "00:00",
                           # The tests' photos and WeChat's side are served on this machine.
                           "PHOTO_FETCH_ALLOW_PRIVATE": "1"})
    except StackError as error:
        pytest.fail(f"The stack did not start: {error}", pytrace=False)
    stack = RunningStack(running, var_dir, time.monotonic() - started)
    try:
        yield stack
        # Summed and printed by tests/conftest.py after the run.
        request.config.stash[E2E_KPI] = [_containment(stack)]
    finally:
        running.stop()


def _containment(stack: RunningStack) -> dict[str, Any]:
    """The KPI page's conversation figures over everything this test session said to the stack."""
    try:
        report = stack.supervisor().get(f"{stack.backend_url}/console/api/kpi?days=1", timeout=60).json()
    except (AssertionError, requests.RequestException, ValueError) as error:
        return {"error": str(error)}
    counts = report["counts"]
    return {**{key: counts[key] for key in ("conversations", "contained", "handed_off", "fallback")},
            "containment_rate": report["containment_rate"], "fallback_rate": report["fallback_rate"]}


# The modules that take minutes (their own clusters, stacks or a training run), longest first. `make e2e` runs two
# pytest-xdist workers, a module at a time each (--dist loadfile --no-loadscope-reorder), starting from the front:
# the first and third go to one worker and the second and fourth to the other, so the two heaviest (the cluster and
# the training) never share the cores, and the short modules fill the other worker meanwhile.
SLOW_MODULES = (
    "tests/e2e/test_cluster.py", "tests/e2e/test_web_chat.py", "tests/e2e/test_review_loop.py",
    "tests/e2e/test_outbox.py", "tests/bot/test_runner_lifecycle.py", "tests/e2e/test_supervision.py",
    "tests/e2e/test_wechat_slow.py", "tests/e2e/test_security_log_masking.py",
    "tests/e2e/test_scaling_two_instances.py", "tests/e2e/test_conv_notices.py",
)


def _slowness(item: pytest.Item) -> int:
    module = item.nodeid.split("::", 1)[0]
    return SLOW_MODULES.index(module) if module in SLOW_MODULES else len(SLOW_MODULES)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_slowness)  # stable: the other tests keep their collected order


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist each worker has a stack of its own: its figures go to the controller, which never loads
    this file because it collects nothing."""
    figures = session.config.stash.get(E2E_KPI, [])
    if figures and hasattr(session.config, "workeroutput"):
        session.config.workeroutput["e2e_kpi"] = json.dumps(figures[0])


def _stop_on_sigterm(running: Stack) -> None:
    """A test run ended by SIGTERM (e.g. `timeout`) stops the servers before it dies."""
    previous = signal.getsignal(signal.SIGTERM)

    def stop_then_die(signum: int, frame) -> None:
        running.stop(grace=5)
        signal.signal(signal.SIGTERM, previous if callable(previous) else signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop_then_die)
