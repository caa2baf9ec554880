import asyncio
import uuid

import pytest

from bot.channels.kv import MemoryStore, RedisStore
from bot.channels.wechat.dedupe import DedupeStore, message_key


def test_messages_keyed_by_sender_and_msgid_events_by_sender_and_time():
    assert message_key({"MsgId": "123", "FromUserName": "o1", "CreateTime": "1"}) == "msg:o1:123"
    # A retry of one customer's message (CreateTime and all) is the same key; another customer's is not.
    assert message_key({"MsgId": "123", "FromUserName": "o1", "CreateTime": "1"}) == \
        message_key({"MsgID": "123", "FromUserName": "o1", "CreateTime": "1"})
    assert message_key({"MsgId": "123", "FromUserName": "o1"}) != message_key({"MsgId": "123", "FromUserName": "o2"})
    a = message_key({"FromUserName": "o1", "CreateTime": "1700000000", "Event": "subscribe"})
    b = message_key({"FromUserName": "o2", "CreateTime": "1700000000", "Event": "subscribe"})
    assert a != b and a == message_key({"FromUserName": "o1", "CreateTime": "1700000000", "Event": "subscribe"})


async def _exercise(store) -> None:
    dedupe = DedupeStore(store, ttl_s=0.5)
    key = f"msg:{uuid.uuid4().hex}"
    results = await asyncio.gather(*(dedupe.first_seen(key) for _ in range(5)))
    assert results.count(True) == 1
    assert await dedupe.reply_for(key) is None
    await dedupe.remember_reply(key, "您好")
    assert await dedupe.reply_for(key) == "您好"
    await asyncio.sleep(0.7)
    assert await dedupe.first_seen(key)  # forgotten after the TTL


def test_memory_dedupe():
    asyncio.run(_exercise(MemoryStore()))


def test_memory_dedupe_keeps_two_customers_with_one_msgid_apart():
    async def scenario():
        dedupe = DedupeStore(MemoryStore())
        same_id = {"MsgId": "424242", "CreateTime": "1700000000"}
        assert await dedupe.first_seen(message_key({**same_id, "FromUserName": "o-a"}))
        assert await dedupe.first_seen(message_key({**same_id, "FromUserName": "o-b"}))
        assert not await dedupe.first_seen(message_key({**same_id, "FromUserName": "o-a"}))

    asyncio.run(scenario())


@pytest.mark.redis
def test_redis_dedupe_shared_between_instances(redis_namespace):
    async def scenario():
        await _exercise(RedisStore("redis://127.0.0.1:6379/0", redis_namespace))
        namespace = redis_namespace
        one = DedupeStore(RedisStore("redis://127.0.0.1:6379/0", namespace))
        two = DedupeStore(RedisStore("redis://127.0.0.1:6379/0", namespace))
        assert await one.first_seen("msg:shared")
        assert not await two.first_seen("msg:shared")
        # Two customers' messages that share a MsgId are both first seen, on any instance.
        same_id = {"MsgId": "424242", "CreateTime": "1700000000"}
        assert await one.first_seen(message_key({**same_id, "FromUserName": "o-redis-a"}))
        assert await two.first_seen(message_key({**same_id, "FromUserName": "o-redis-b"}))
        assert not await one.first_seen(message_key({**same_id, "FromUserName": "o-redis-b"}))

    asyncio.run(scenario())
