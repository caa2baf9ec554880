"""Small expiring key-value stores shared by the channels.

In the embedded profile state lives in the process; with `REDIS_URL` set (production, several Rasa
instances) it lives in Redis so every instance sees the same dedupe keys, scripts and tokens.
"""

from __future__ import annotations

import time
from typing import Protocol

from bot.settings import get_settings


class KeyValueStore(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl_s: float) -> None: ...

    async def add(self, key: str, value: str, ttl_s: float) -> bool:
        """Set only when absent; True when this call created the key."""
        ...

    async def delete(self, key: str) -> None: ...


class MemoryStore:
    """Per-process store; expired keys are dropped lazily and on a periodic sweep."""

    _SWEEP_EVERY = 256

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float]] = {}
        self._writes = 0

    async def get(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires <= time.monotonic():
            self._data.pop(key, None)
            return None
        return value

    async def set(self, key: str, value: str, ttl_s: float) -> None:
        self._data[key] = (value, time.monotonic() + ttl_s)
        self._writes += 1
        if self._writes % self._SWEEP_EVERY == 0:
            self._sweep()

    async def add(self, key: str, value: str, ttl_s: float) -> bool:
        if await self.get(key) is not None:
            return False
        await self.set(key, value, ttl_s)
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    def _sweep(self) -> None:
        now = time.monotonic()
        for key in [k for k, (_, expires) in self._data.items() if expires <= now]:
            self._data.pop(key, None)


class RedisStore:
    def __init__(self, url: str, namespace: str) -> None:
        import redis.asyncio as redis_asyncio

        self._redis = redis_asyncio.from_url(url, decode_responses=True)
        self._ns = namespace

    def _key(self, key: str) -> str:
        return f"courier:{self._ns}:{key}"

    async def get(self, key: str) -> str | None:
        return await self._redis.get(self._key(key))

    async def set(self, key: str, value: str, ttl_s: float) -> None:
        await self._redis.set(self._key(key), value, px=max(1, int(ttl_s * 1000)))

    async def add(self, key: str, value: str, ttl_s: float) -> bool:
        return bool(await self._redis.set(self._key(key), value, px=max(1, int(ttl_s * 1000)), nx=True))

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._key(key))


def make_store(namespace: str, redis_url: str | None = None) -> KeyValueStore:
    """Redis when configured (explicitly or through settings), else in-process memory."""
    url = get_settings().redis_url if redis_url is None else redis_url
    return RedisStore(url, namespace) if url else MemoryStore()
