"""The durable outbox (bot/outbox) on SQLite and on the real PostgreSQL at 127.0.0.1:5432.

Enqueue, claim under a lease, finish, retry with a capped exponential backoff, bounds, and two workers sharing
one outbox (two engines, as two action servers would) never delivering one row twice.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest

from bot.outbox import Delivered, Item, Outbox, OutboxFull, PayloadTooLarge, Refused, RetryLater, Worker
from tests.support import require_service

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def outbox_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'outbox.db'}"
        return
    require_service("PostgreSQL", "127.0.0.1", 5432)
    import psycopg2

    name = f"courier_outbox_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture()
def outbox(outbox_url: str) -> Iterator[Outbox]:
    box = Outbox(outbox_url, max_items=50, max_payload_bytes=2000, lease_s=30, retry_base_s=2, retry_max_s=60)
    yield box
    box.dispose()


def _keep(box: Outbox, n: int = 1, kind: str = "complaint") -> list[str]:
    keys = [f"{kind}-{uuid.uuid4().hex}" for _ in range(n)]
    for index, key in enumerate(keys):
        box.enqueue(kind, key, f"web:{index}", {"body": {"description": f"第 {index} 件", "contact_phone": "139"}})
    return keys


def test_enqueue_claim_deliver_removes_the_row(outbox: Outbox) -> None:
    [key] = _keep(outbox)
    [item] = outbox.claim()
    assert (item.key, item.kind, item.attempts) == (key, "complaint", 1)
    assert item.payload == {"body": {"description": "第 0 件", "contact_phone": "139"}}
    assert outbox.claim() == []  # leased: not handed out twice
    outbox.done(item)
    assert outbox.waiting() == 0


def test_the_same_key_is_kept_once(outbox: Outbox) -> None:
    outbox.enqueue("rating", "rating-k", "web:1", {"body": {"score": 5}})
    outbox.enqueue("rating", "rating-k", "web:1", {"body": {"score": 5}})
    assert outbox.waiting() == 1


def test_bounded_by_items_and_payload_size(outbox: Outbox) -> None:
    _keep(outbox, 50)
    with pytest.raises(OutboxFull):
        _keep(outbox)
    _keep_first = outbox.claim(1)[0]
    outbox.done(_keep_first)
    with pytest.raises(PayloadTooLarge):
        outbox.enqueue("complaint", "big", "web:x", {"body": {"description": "长" * 1000}})
    _keep(outbox)  # room again for a normal one
    assert outbox.waiting() == 50


def test_a_failed_try_waits_a_growing_capped_backoff(outbox: Outbox) -> None:
    _keep(outbox)
    now = time.time()
    delays = []
    for attempt in range(1, 8):
        [item] = outbox.claim(now=now)
        assert item.attempts == attempt
        delay = outbox.retry_later(item, "unavailable", now=now)
        delays.append(delay)
        assert outbox.claim(now=now + delay - 0.01) == []  # not before its time
        now += delay
    # 2 s doubling (±20 % jitter), capped at 60 s
    for attempt, delay in enumerate(delays, start=1):
        expected = min(60, 2 * 2 ** (attempt - 1))
        assert 0.8 * expected <= delay <= 1.2 * expected


def test_an_expired_lease_is_due_again_and_the_old_holder_cannot_touch_it(outbox: Outbox) -> None:
    _keep(outbox)
    now = time.time()
    [first] = outbox.claim(now=now)
    assert outbox.claim(now=now + 29) == []
    [second] = outbox.claim(now=now + 31)  # the first worker died mid-delivery
    assert second.key == first.key and second.attempts == 2
    outbox.retry_later(first, "late answer from the dead worker")  # ignored: not its lease any more
    outbox.done(first)
    assert outbox.waiting() == 1
    outbox.done(second)
    assert outbox.waiting() == 0


def test_forget_drops_an_item_the_next_turn_delivered(outbox: Outbox) -> None:
    [key, other] = _keep(outbox, 2)
    outbox.forget(key)
    assert [item.key for item in outbox.claim()] == [other]


def test_worker_retries_until_delivered_and_drops_refused(outbox_url: str) -> None:
    box = Outbox(outbox_url, retry_base_s=0.05, retry_max_s=0.1)
    [flaky] = _keep(box)
    [bad] = _keep(box, kind="claim")
    tries: Counter[str] = Counter()

    def deliver(item: Item) -> Delivered | Refused | RetryLater:
        tries[item.key] += 1
        if item.key == bad:
            return Refused("invalid")
        if tries[item.key] < 3:
            return RetryLater("unavailable")
        return Delivered()

    worker = Worker(box, deliver, poll_s=0.02).start()
    try:
        deadline = time.monotonic() + 10
        while box.waiting() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert box.waiting() == 0
    assert tries == {flaky: 3, bad: 1}
    box.dispose()


def test_an_exception_in_delivery_is_a_retry_not_a_loss(outbox_url: str) -> None:
    box = Outbox(outbox_url, retry_base_s=10)

    def deliver(item: Item) -> Delivered:
        raise RuntimeError("bug")

    _keep(box)
    assert Worker(box, deliver).run_once() == 1
    assert box.waiting() == 1 and box.claim() == []  # kept, waiting for its backoff
    box.dispose()


def test_when_the_backend_is_away_the_rest_of_the_batch_waits_untried(outbox: Outbox) -> None:
    _keep(outbox, 5)
    tried = []

    def deliver(item: Item) -> RetryLater:
        tried.append(item.key)  # each try of a dead backend costs its timeouts
        return RetryLater("unavailable")

    assert Worker(outbox, deliver, batch=5).run_once() == 5
    assert len(tried) == 1 and outbox.waiting() == 5 and outbox.claim() == []


def test_two_workers_on_one_outbox_deliver_every_item_exactly_once(outbox_url: str) -> None:
    boxes = [Outbox(outbox_url, max_items=1000, lease_s=30) for _ in range(2)]
    keys = _keep(boxes[0], 200)
    delivered: list[tuple[int, str]] = []
    lock = threading.Lock()

    def deliverer(index: int):
        def deliver(item: Item) -> Delivered:
            time.sleep(0.001)  # a real call takes time: the other worker claims meanwhile
            with lock:
                delivered.append((index, item.key))
            return Delivered()
        return deliver

    workers = [Worker(box, deliverer(i), poll_s=0.01, batch=5) for i, box in enumerate(boxes)]
    threads = [threading.Thread(target=_drain, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    counts = Counter(key for _, key in delivered)
    assert sorted(counts) == sorted(keys) and set(counts.values()) == {1}
    assert {index for index, _ in delivered} == {0, 1}  # both took part
    assert boxes[0].waiting() == 0
    for box in boxes:
        box.dispose()


def _drain(worker: Worker) -> None:
    idle = 0
    while idle < 20:
        idle = 0 if worker.run_once() else idle + 1
        time.sleep(0.005)
