"""Supervision on a real stack (issue 14): services that die or stop answering come back by themselves.

This module starts its own stack (it kills services, which the shared one must not see) and runs the
supervisor in a thread the way `make run` runs it, probing every 2 s instead of 5 s to keep the test short.
Measured times are printed (run with -s to see them).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import requests

from bot.action_failure import ACTION_FAILED_TEXT
from bot.stack import Ports, Stack, StackError
from bot.supervisor import Policy, State, Supervisor
from tests.e2e.conftest import MODEL, RunningStack, _stop_on_sigterm
from tests.e2e.flows2_chat import Chat

pytestmark = pytest.mark.e2e

POLICY = Policy(probe_interval_s=2.0)
TRACKING = "帮我查下快递 ZT100000000001"


class Supervised(RunningStack):
    """The stack with its supervisor ticking in a thread; `paused` holds the ticks."""

    supervisor: Supervisor
    paused: threading.Event
    said: list[str]

    def until(self, condition: Callable[[], bool], timeout: float, what: str) -> float:
        started = time.monotonic()
        while not condition():
            assert time.monotonic() - started < timeout, f"{what}: not within {timeout} s; said: {self.said}"
            time.sleep(0.2)
        return time.monotonic() - started

    def kill(self, name: str) -> None:
        """kill -9 the service's whole process group, and wait until it is gone."""
        process = self.supervisor.watch(name).service.process
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Supervised]:
    var_dir = tmp_path_factory.mktemp("supervised-var")
    stack = Stack()
    _stop_on_sigterm(stack)
    started = time.monotonic()
    try:
        stack.start(Ports.free(), model=MODEL, var_dir=var_dir, env={"AGENT_HOURS_START": "00:00",
                                                                     "AGENT_HOURS_END": "00:00"})
    except StackError as error:
        pytest.fail(f"The stack did not start: {error}", pytrace=False)
    running = Supervised(stack, var_dir, time.monotonic() - started)
    running.said = []
    running.paused = threading.Event()
    running.supervisor = Supervisor(stack, POLICY, say=lambda m: running.said.append(f"{time.monotonic():.1f} {m}"))
    stopping = threading.Event()

    def supervise() -> None:
        # Services it restarts die with this thread (bot/stack.py): it lives as long as the stack.
        while not stopping.is_set():
            if not running.paused.is_set():
                running.supervisor.tick()
            stopping.wait(0.5)

    thread = threading.Thread(target=supervise, name="supervisor", daemon=True)
    thread.start()
    try:
        yield running
    finally:
        stopping.set()
        thread.join(timeout=10)
        running.supervisor.close()
        stack.stop()


def test_customers_are_told_politely_while_the_backend_or_the_action_server_is_down(supervised) -> None:
    supervised.paused.set()
    try:
        supervised.kill("backend")
        chat = Chat(supervised, "sv-backend-down")
        shown = chat.say(TRACKING)
        assert "系统暂时繁忙" in shown and "稍后再试" in shown, chat.history()

        supervised.kill("actions")
        chat = Chat(supervised, "sv-actions-down")
        assert chat.say(TRACKING) == ACTION_FAILED_TEXT, chat.history()
    finally:
        supervised.paused.clear()

    watches = [supervised.supervisor.watch(name) for name in ("backend", "actions")]
    took = supervised.until(lambda: all(w.restarts == 1 for w in watches) and supervised.supervisor.all_up(),
                            120, "backend and action server back")
    print(f"\nbackend and action server both killed: both answering again {took:.1f} s after supervision resumed")
    chat = Chat(supervised, "sv-after")
    assert "运输中" in chat.say(TRACKING), chat.history()


def test_a_killed_backend_comes_back_by_itself_and_chatting_works_again(supervised) -> None:
    watch = supervised.supervisor.watch("backend")
    others = {name: supervised.supervisor.watch(name).service.process.pid for name in ("actions", "rasa")}
    restarts = watch.restarts

    killed = time.monotonic()
    supervised.kill("backend")
    supervised.until(lambda: watch.restarts == restarts + 1 and watch.state is State.UP, 60, "backend back")
    took = time.monotonic() - killed
    print(f"\nbackend kill -9 → answering its health check again: {took:.1f} s")

    chat = Chat(supervised, "sv-backend-back")
    shown = chat.say(TRACKING)
    assert "运输中" in shown and "当前所在：济南" in shown, chat.history()
    assert {name: supervised.supervisor.watch(name).service.process.pid for name in others} == others


def test_an_unloaded_model_is_noticed_and_rasa_restarted(supervised) -> None:
    watch = supervised.supervisor.watch("rasa")
    probe_url = f"{supervised.rasa_url}/health/turn"
    assert requests.get(probe_url, timeout=10).status_code == 401  # behind the API token like the rest
    probe = requests.get(probe_url, params=supervised.rasa_auth, timeout=10).json()
    assert probe["status"] == "ok" and probe["model_file"] and probe["intent"] and probe["action"], probe

    unloaded = time.monotonic()
    reply = requests.delete(f"{supervised.rasa_url}/model", params=supervised.rasa_auth, timeout=10)
    assert reply.status_code == 204, reply.text
    assert requests.get(probe_url, params=supervised.rasa_auth, timeout=10).status_code == 503

    noticed = supervised.until(lambda: watch.state is not State.UP, 60, "the supervisor notices")
    supervised.until(lambda: watch.state is State.UP, 300, "Rasa back")
    back = time.monotonic() - unloaded
    print(f"\nDELETE /model → restart decided after {noticed:.1f} s, Rasa answering turns again after {back:.1f} s")
    assert any("failed its health check 3 times in a row" in m for m in supervised.said), supervised.said

    chat = Chat(supervised, "sv-rasa-back")
    assert "运输中" in chat.say(TRACKING), chat.history()
