"""Waiting customers are told their place and wait while they wait, once per interval however many web processes
look, and no longer once an agent has them. Two real web processes on one database; Rasa's push route is a
recorder (the e2e suite pushes into real chats)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from bot.console.queue_updates import update_text
from tests.bot.backend.conftest import Backend, RasaReceiver, start_backend, stop_backend
from tests.bot.console.conftest import PASSWORD, _hours_around_now, create_agent, login, open_handoff

INTERVAL_S = 3


@pytest.fixture(scope="module")
def receiver() -> Iterator[RasaReceiver]:
    recorder = RasaReceiver()
    yield recorder
    recorder.close()


@pytest.fixture(scope="module")
def two_web_processes(tmp_path_factory: pytest.TempPathFactory, receiver: RasaReceiver) -> Iterator[list[Backend]]:
    var_dir = tmp_path_factory.mktemp("queue-updates")
    env = {**_hours_around_now(on_duty=True), "CONSOLE_DEMO_PASSWORD": PASSWORD,
           "HANDOFF_QUEUE_UPDATE_S": str(INTERVAL_S), "HANDOFF_QUEUE_POLL_S": "0.2"}
    first = start_backend(var_dir, "", env, rasa_url=receiver.url)
    # The second process shares the first one's database (the same var dir): the cluster's web processes do.
    second = start_backend(var_dir, "", env, rasa_url=receiver.url)
    try:
        assert create_agent(first, "wu", "general", "吴芳").returncode == 0
        yield [first, second]
    finally:
        stop_backend(second)
        stop_backend(first)


def told(receiver: RasaReceiver, conversation: str) -> list[str]:
    return [call["body"]["text"] for call in receiver.calls
            if call["path"] == "/webhooks/socketio/push" and call["body"].get("session_id") == conversation]


def test_the_place_is_told_once_per_interval_and_not_after_an_agent_accepts(two_web_processes, receiver) -> None:
    web = two_web_processes[0]
    first, second, rest = (f"qu-{name}-{uuid.uuid4().hex[:8]}" for name in ("a", "b", "rest"))
    started = time.monotonic()
    opened = open_handoff(web, first)
    open_handoff(web, second)
    open_handoff(web, rest, channel="rest")
    time.sleep(INTERVAL_S + 1.5)
    # Both processes looked about ten times each: one update per customer.
    assert told(receiver, first) == [update_text(1, 3)] and "第 1 位" in told(receiver, first)[0]
    assert told(receiver, second) == [update_text(2, 3)] and "前面还有 1 位" in told(receiver, second)[0]
    assert not [call for call in receiver.calls if rest in str(call["body"])]  # REST cannot be reached unasked
    agent = login(web, "wu")
    assert agent.post(f"{web.base_url}/console/api/handoffs/{opened['handoff_id']}/accept", timeout=15).ok
    time.sleep(INTERVAL_S + 0.5)
    # An agent has it: the agent's greeting, and no more queue updates.
    assert [text for text in told(receiver, first) if "排在" in text or "前面还有" in text] == [update_text(1, 3)]
    later = told(receiver, second)[1:]
    assert later and set(later) == {update_text(1, 3)}  # moved up to first place
    # Once per interval: two processes looking every 0.2 s never tell the same customer twice in one.
    assert len(told(receiver, second)) <= (time.monotonic() - started) // INTERVAL_S


def test_an_undelivered_update_is_tried_again_next_interval(two_web_processes, receiver) -> None:
    conversation = f"qu-down-{uuid.uuid4().hex[:8]}"
    receiver.status = 500
    try:
        open_handoff(two_web_processes[1], conversation)
        time.sleep(INTERVAL_S + 1)
        assert len(told(receiver, conversation)) == 1
    finally:
        receiver.status = 200
    time.sleep(INTERVAL_S)
    assert len(told(receiver, conversation)) == 2
