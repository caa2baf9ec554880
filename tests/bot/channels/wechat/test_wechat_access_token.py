import asyncio

import pytest

from bot.channels.kv import MemoryStore, RedisStore
from bot.channels.wechat.access_token import AccessTokenError, AccessTokenProvider
from bot.channels.wechat.customer_service_api import CustomerServiceApi, CustomerServiceError
from tests.wechat_fake_api import FakeWeChatApi

APP_ID, SECRET = "wxtoken000000001", "token-secret"


@pytest.fixture()
def fake_api():
    api = FakeWeChatApi(APP_ID, SECRET).start()
    yield api
    api.stop()


def test_token_is_fetched_once_and_cached(fake_api):
    async def scenario():
        tokens = AccessTokenProvider(fake_api.base_url, APP_ID, SECRET, MemoryStore())
        got = await asyncio.gather(*(tokens.get() for _ in range(10)))
        assert len(set(got)) == 1 and await tokens.get() == got[0]

    asyncio.run(scenario())
    assert fake_api.token_requests == 1


def test_revoked_token_is_refreshed_and_the_message_retried(fake_api):
    async def scenario():
        api = CustomerServiceApi(fake_api.base_url, AccessTokenProvider(fake_api.base_url, APP_ID, SECRET, MemoryStore()))
        assert await api.send_text("o1", "第一条") == 1
        fake_api.revoke_token()
        assert await api.send_text("o1", "第二条") == 1

    asyncio.run(scenario())
    assert fake_api.texts_to("o1") == ["第一条", "第二条"]
    assert fake_api.token_requests == 2


def test_wrong_secret_is_a_clear_error(fake_api):
    async def scenario():
        tokens = AccessTokenProvider(fake_api.base_url, APP_ID, "wrong", MemoryStore())
        with pytest.raises(AccessTokenError, match="40013"):
            await tokens.get()
        with pytest.raises(AccessTokenError):
            await CustomerServiceApi(fake_api.base_url, tokens).send_text("o1", "hi")
        good = AccessTokenProvider(fake_api.base_url, APP_ID, SECRET, MemoryStore())
        with pytest.raises(CustomerServiceError, match="unreachable"):
            await CustomerServiceApi("http://127.0.0.1:9", good).send_text("o1", "hi")

    asyncio.run(scenario())


@pytest.mark.redis
def test_instances_sharing_redis_refresh_once(fake_api, redis_namespace):
    async def scenario():
        namespace = redis_namespace
        instances = [
            AccessTokenProvider(fake_api.base_url, APP_ID, SECRET, RedisStore("redis://127.0.0.1:6379/0", namespace))
            for _ in range(4)
        ]
        got = await asyncio.gather(*(instance.get() for instance in instances for _ in range(3)))
        assert len(set(got)) == 1

    asyncio.run(scenario())
    assert fake_api.token_requests == 1
