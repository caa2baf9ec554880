"""The conversation lock shared by Rasa instances (bot/lock_store.py), against the real Redis at 127.0.0.1:6379.

The first test is the root cause of issue 14's lost messages in Rasa's own RedisLockStore, step by step; the
others hold CourierRedisLockStore to what Rasa needs and that store does not give: mutual exclusion across
processes, FIFO order, expiry of a dead holder without losing the waiters, renewal while a turn runs, release
by the holder only.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid

import pytest
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import CourierRedisLockStore
from bot.rasa_endpoints import lock_store_config, resolved
from tests.support import require_service

pytestmark = pytest.mark.redis

REDIS = {"host": "127.0.0.1", "port": 6379, "db": 0, "key_prefix": "courier"}


@pytest.fixture()
def conversation():
    require_service("Redis", "127.0.0.1", 6379)
    conversation_id = f"lock-test-{uuid.uuid4().hex}"
    yield conversation_id
    store = CourierRedisLockStore(**REDIS)
    store.red.delete(*store._keys(conversation_id), f"{conversation_id}:counter", f"{conversation_id}:holder",
                     f"{conversation_id}:overlaps")


def test_rasa_redis_lock_store_serves_two_instances_at_once(conversation):
    """Root cause: Rasa's ticket issue is GET, change, SET. Two instances interleaving it both hold ticket 0."""
    first, second = RedisLockStore(**REDIS), RedisLockStore(**REDIS)
    seen_by_first = first.get_or_create_lock(conversation)
    seen_by_second = second.get_or_create_lock(conversation)
    ticket_first = seen_by_first.issue_ticket(60)
    ticket_second = seen_by_second.issue_ticket(60)
    first.save_lock(seen_by_first)
    second.save_lock(seen_by_second)
    shared = first.get_lock(conversation)
    assert ticket_first == ticket_second == 0
    assert not shared.is_locked(ticket_first) and not shared.is_locked(ticket_second)  # both are "served"
    first.delete_lock(conversation)


def test_the_production_profile_uses_the_courier_lock_store(conversation):
    url = "redis://127.0.0.1:6379/0"
    config = EndpointConfig.from_dict({**resolved(lock_store_config(url), {"REDIS_URL": url}), "lock_lifetime": 12})
    store = LockStore.create(config)
    assert isinstance(store, CourierRedisLockStore) and store.lock_lifetime == 12
    assert store._keys(conversation)[0] == f"courier:lock:{{{conversation}}}:q"


def test_courier_lock_store_issues_distinct_tickets_in_order(conversation):
    first, second = CourierRedisLockStore(**REDIS), CourierRedisLockStore(**REDIS)
    tickets = [store.issue_ticket(conversation) for store in (first, second, first, second)]
    assert tickets == sorted(set(tickets)) and len(tickets) == 4
    lock = second.get_lock(conversation)
    assert [ticket.number for ticket in lock.tickets] == tickets
    assert not lock.is_locked(tickets[0]) and all(lock.is_locked(t) for t in tickets[1:])
    for store, ticket in zip((first, second, first, second), tickets, strict=True):
        store.cleanup(conversation, ticket)
    assert first.get_lock(conversation) is None and not first.red.exists(*first._keys(conversation))


def _hammer(conversation: str, tasks: int, turns: int, errors) -> None:
    """One 'Rasa instance': its own event loop and store, `tasks` concurrent senders of `turns` turns each.

    Each turn does a non-atomic read-modify-write of a counter (like a tracker load + save) and marks itself
    as the holder: a second holder at the same time is an overlap.
    """
    store = CourierRedisLockStore(**REDIS)
    red = store.red

    async def sender() -> None:
        for _ in range(turns):
            async with store.lock(conversation):
                if not red.set(f"{conversation}:holder", "x", nx=True):
                    red.incr(f"{conversation}:overlaps")
                value = int(red.get(f"{conversation}:counter") or 0)
                await asyncio.sleep(0.002)
                red.set(f"{conversation}:counter", value + 1)
                red.delete(f"{conversation}:holder")

    async def main() -> None:
        await asyncio.gather(*(sender() for _ in range(tasks)))

    try:
        asyncio.run(main())
    except BaseException as error:  # reported to the parent
        errors.put(repr(error))


def test_turns_are_mutually_exclusive_across_processes(conversation):
    context = multiprocessing.get_context("fork")
    errors = context.Queue()
    processes = [context.Process(target=_hammer, args=(conversation, 4, 10, errors)) for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    assert errors.empty(), errors.get()
    red = CourierRedisLockStore(**REDIS).red
    assert int(red.get(f"{conversation}:overlaps") or 0) == 0
    assert int(red.get(f"{conversation}:counter")) == 2 * 4 * 10  # no update lost


def test_waiters_are_served_first_come_first_served(conversation):
    stores = [CourierRedisLockStore(**REDIS) for _ in range(3)]
    order: list[int] = []

    async def turn(index: int) -> None:
        async with stores[index % 3].lock(conversation):
            order.append(index)
            await asyncio.sleep(0.05)

    async def main() -> None:
        tasks = []
        for index in range(6):
            tasks.append(asyncio.create_task(turn(index)))
            await asyncio.sleep(0.01)  # each task has issued its ticket before the next starts
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert order == list(range(6))


def test_a_dead_holders_ticket_expires_and_its_waiters_keep_their_place(conversation):
    dead = CourierRedisLockStore(lock_lifetime=0.6, **REDIS)
    alive = CourierRedisLockStore(lock_lifetime=0.6, **REDIS)
    dead.issue_ticket(conversation)  # a crashed instance: issued, never renewed, never released
    order: list[str] = []

    async def turn(name: str) -> None:
        async with alive.lock(conversation):
            order.append(name)
            await asyncio.sleep(0.05)

    async def main() -> float:
        started = time.monotonic()
        first = asyncio.create_task(turn("first"))
        await asyncio.sleep(0.05)
        second = asyncio.create_task(turn("second"))
        await asyncio.gather(first, second)
        return time.monotonic() - started

    elapsed = asyncio.run(main())
    assert order == ["first", "second"]  # the expiry removed only the dead ticket
    assert 0.5 < elapsed < 3


def test_a_turn_longer_than_the_lifetime_keeps_its_lock(conversation):
    slow = CourierRedisLockStore(lock_lifetime=0.6, **REDIS)
    other = CourierRedisLockStore(lock_lifetime=0.6, **REDIS)
    events: list[str] = []

    async def long_turn() -> None:
        async with slow.lock(conversation):
            events.append("slow in")
            await asyncio.sleep(2.0)  # > 3 lifetimes: only renewal keeps it
            events.append("slow out")

    async def next_turn() -> None:
        await asyncio.sleep(0.1)
        async with other.lock(conversation):
            events.append("other in")

    async def main() -> None:
        await asyncio.gather(long_turn(), next_turn())

    asyncio.run(main())
    assert events == ["slow in", "slow out", "other in"]


def test_only_the_holder_can_release_its_ticket(conversation):
    holder, stranger = CourierRedisLockStore(**REDIS), CourierRedisLockStore(**REDIS)
    ticket = holder.issue_ticket(conversation)
    stranger.cleanup(conversation, ticket)  # knows the number, not the token
    assert stranger._release(keys=stranger._keys(conversation), args=["guessed-token"]) == 0
    lock = stranger.get_lock(conversation)
    assert lock is not None and [t.number for t in lock.tickets] == [ticket]
    with pytest.raises(NotImplementedError):
        stranger.save_lock(lock)  # no whole-lock rewrite from a stale copy
    holder.cleanup(conversation, ticket)
    assert holder.get_lock(conversation) is None


def test_a_waiter_gives_up_with_lock_error_and_leaves_no_ticket(conversation):
    holder = CourierRedisLockStore(**REDIS)
    impatient = CourierRedisLockStore(max_wait=0.3, **REDIS)
    ticket = holder.issue_ticket(conversation)

    async def main() -> None:
        async with impatient.lock(conversation):
            pass

    with pytest.raises(LockError):
        asyncio.run(main())
    assert [t.number for t in holder.get_lock(conversation).tickets] == [ticket]
    holder.cleanup(conversation, ticket)
