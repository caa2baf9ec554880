"""Issue 14, finding 1: two Rasa instances on the production stores lose no customer message.

Two `bot.rasa_server` processes share a fresh PostgreSQL tracker database, Redis (lock store) and RabbitMQ
(event broker), with one backend and one action server. The 4 messages of each of 30 conversations are sent at
the same moment, alternately to each instance. Every message must be answered, and every conversation's
tracker must hold each of its 4 user messages exactly once, in a sensible order (turns one after the other:
each user message right after an `action_listen`, a reply before the next one, timestamps never going back).

With Rasa's own RedisLockStore this lost a user event in 7 of 30 conversations (issue 14); the production
profile's lock store (bot/lock_store.py, docs/scaling.md) serialises the turns.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests

from bot.cluster.child import delete_queue
from bot.settings import get_settings
from bot.stack import Ports, Stack
from tests.e2e.conftest import MODEL
from tests.support import require_service

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CONVERSATIONS = 30
MESSAGES = ("在吗", "什么东西不能寄", "查件 ZT100000000001", "今天天气怎么样")


@dataclass
class TwoInstances:
    rasa_urls: list[str]
    token: str
    stacks: list[Stack]


def _free_ports() -> tuple[Ports, Ports]:
    first = Ports.free()
    while True:
        rasa = Ports.free().rasa
        if rasa not in (first.backend, first.rasa, first.actions):
            return first, Ports(backend=first.backend, rasa=rasa, actions=first.actions)


@pytest.fixture()
def two_instances(tmp_path, monkeypatch) -> Iterator[TwoInstances]:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    require_service("Redis", "127.0.0.1", 6379)
    require_service("RabbitMQ", "127.0.0.1", 5672)
    import psycopg2

    run = uuid.uuid4().hex[:8]
    database, queue = f"courier_scaling_{run}", f"courier_scaling_{run}"
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{database}"')
    token = uuid.uuid4().hex + uuid.uuid4().hex
    # The production profile, as an operator sets it (the stack renders Rasa's endpoints from these).
    for name, value in {
        "TRACKER_STORE_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:5672/",
        "RABBITMQ_QUEUE": queue,
        "BACKEND_API_KEY": uuid.uuid4().hex,
        "POD_LINK_SECRET": uuid.uuid4().hex,
        "CONSOLE_DEMO_PASSWORD": uuid.uuid4().hex,
        "RASA_API_TOKEN": token,
        "CHAT_SESSION_SECRET": uuid.uuid4().hex,
        "DATABASE_URL": "",
        "AGENT_HOURS_START": "00:00",
        "AGENT_HOURS_END": "00:00",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    ports = _free_ports()
    stacks = [Stack(), Stack()]
    started = [threading.Event(), threading.Event()]
    done, errors = threading.Event(), []

    def keep(index: int) -> None:
        # Children die with the thread that started them: this one lives until the test is done.
        try:
            stacks[index].start(ports[index], model=MODEL, var_dir=tmp_path / f"instance-{index}",
                                only=None if index == 0 else {"rasa"})
        except BaseException as error:  # re-raised in the test's thread
            errors.append(error)
        finally:
            started[index].set()
        done.wait()

    threads = [threading.Thread(target=keep, args=(i,), name=f"rasa-{i}", daemon=True) for i in range(2)]
    for thread in threads:
        thread.start()
    try:
        for event in started:
            event.wait(600)
        if errors:
            pytest.fail(f"The two-instance stack did not start: {errors[0]}", pytrace=False)
        yield TwoInstances([f"http://127.0.0.1:{p.rasa}" for p in ports], token, stacks)
    finally:
        for running in stacks:
            running.stop()
        done.set()
        get_settings.cache_clear()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()
        delete_queue(queue)


def _send(url: str, sender: str, text: str, together: threading.Barrier) -> list[dict] | str:
    """The bot's replies, or what went wrong (an error status is a message the customer lost too)."""
    together.wait(60)  # the 4 messages of a conversation leave at the same moment
    try:
        reply = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                              timeout=180)
    except requests.RequestException as error:
        return repr(error)
    return reply.json() if reply.ok else f"HTTP {reply.status_code}: {reply.text[:200]}"


def _problems(events: list[dict]) -> list[str]:
    """What is wrong with one conversation's events: lost or doubled messages, interleaved turns."""
    problems = []
    texts = Counter(e.get("text") for e in events if e["event"] == "user")
    if texts != Counter(MESSAGES):
        problems.append(f"user messages {dict(texts)}")
    timestamps = [e["timestamp"] for e in events if e.get("timestamp") is not None]
    if any(later < earlier for earlier, later in zip(timestamps, timestamps[1:], strict=False)):
        problems.append("timestamps go back (turns interleaved)")
    steps = [e for e in events if e["event"] in ("user", "action", "bot")]
    for index, event in enumerate(steps):
        if event["event"] != "user":
            continue
        before = [e for e in steps[:index] if e["event"] == "action"]
        if before and before[-1].get("name") != "action_listen":
            problems.append(f"{event.get('text')!r} arrived in the middle of a turn")
        after = steps[index + 1:]
        next_user = next((i for i, e in enumerate(after) if e["event"] == "user"), len(after))
        if not any(e["event"] == "bot" for e in after[:next_user]):
            problems.append(f"{event.get('text')!r} has no reply before the next message")
    return problems


def test_concurrent_turns_on_two_instances_lose_no_message(two_instances):
    run = uuid.uuid4().hex[:8]
    senders = [f"scale-{run}-{n}" for n in range(CONVERSATIONS)]
    urls = two_instances.rasa_urls
    started = time.monotonic()
    barriers = {sender: threading.Barrier(len(MESSAGES)) for sender in senders}
    # Every message has its own thread: all 120 are in flight together.
    with ThreadPoolExecutor(max_workers=len(MESSAGES) * CONVERSATIONS) as pool:
        futures = {(sender, text): pool.submit(_send, urls[i % 2], sender, text, barriers[sender])
                   for sender in senders for i, text in enumerate(MESSAGES)}
        replies = {key: future.result() for key, future in futures.items()}
    elapsed = time.monotonic() - started

    unanswered = {key: reply for key, reply in replies.items() if not reply or isinstance(reply, str)}
    lost: dict[str, list[str]] = {}
    for n, sender in enumerate(senders):
        tracker = requests.get(f"{urls[n % 2]}/conversations/{sender}/tracker",
                               params={"token": two_instances.token, "include_events": "ALL"}, timeout=30)
        tracker.raise_for_status()
        problems = _problems(tracker.json()["events"])
        if problems:
            lost[sender] = problems
    print(f"{CONVERSATIONS} conversations x {len(MESSAGES)} messages on 2 instances in {elapsed:.1f} s; "
          f"{len(lost)} with lost or interleaved turns, {len(unanswered)} messages unanswered")
    assert not lost and not unanswered, f"{len(lost)} of {CONVERSATIONS} conversations went wrong: {lost}; unanswered: {list(unanswered.items())[:5]}"
