"""The account's access_token: fetched once, cached until shortly before it expires.

WeChat invalidates the previous token whenever a new one is fetched, so every instance must share one:
with Redis the token and a refresh lock live there, and only the lock holder calls WeChat.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from bot.channels.kv import KeyValueStore

logger = logging.getLogger(__name__)

_TOKEN_KEY = "access_token"
_LOCK_KEY = "access_token:refreshing"
_LOCK_TTL_S = 15
_WAIT_STEP_S = 0.1
_HTTP_TIMEOUT = aiohttp.ClientTimeout(total=5)


class AccessTokenError(RuntimeError):
    """WeChat refused to issue a token (wrong app id/secret, IP not whitelisted…) or is unreachable."""


class AccessTokenProvider:
    def __init__(self, api_base: str, app_id: str, app_secret: str, store: KeyValueStore) -> None:
        self._url = f"{api_base.rstrip('/')}/cgi-bin/token"
        self._app_id = app_id
        self._app_secret = app_secret
        self._store = store
        self._local_lock = asyncio.Lock()

    async def get(self) -> str:
        token = await self._store.get(_TOKEN_KEY)
        if token:
            return token
        async with self._local_lock:  # one refresh per process…
            token = await self._store.get(_TOKEN_KEY)
            if token:
                return token
            if await self._store.add(_LOCK_KEY, "1", _LOCK_TTL_S):  # …and one for all instances
                try:
                    return await self._refresh()
                finally:
                    await self._store.delete(_LOCK_KEY)
            return await self._wait_for_other_instance()

    async def invalidate(self, token: str) -> None:
        """Forget a token WeChat rejected (unless someone already replaced it)."""
        if await self._store.get(_TOKEN_KEY) == token:
            await self._store.delete(_TOKEN_KEY)

    async def _refresh(self) -> str:
        data = await self._fetch()
        token, expires_in = data.get("access_token"), data.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            raise AccessTokenError(f"WeChat token error {data.get('errcode')}: {data.get('errmsg')}")
        # Refresh a little early so a token never expires between fetching and using it.
        ttl = max(1, expires_in - min(300, expires_in // 5))
        await self._store.set(_TOKEN_KEY, token, ttl)
        logger.info("fetched a WeChat access_token valid for %s s", expires_in)
        return token

    async def _fetch(self) -> dict[str, Any]:
        params = {"grant_type": "client_credential", "appid": self._app_id, "secret": self._app_secret}
        try:
            async with aiohttp.ClientSession(timeout=_HTTP_TIMEOUT) as session:
                async with session.get(self._url, params=params) as resp:
                    return await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise AccessTokenError(f"WeChat token endpoint unreachable: {type(exc).__name__}") from exc

    async def _wait_for_other_instance(self) -> str:
        for _ in range(int(_LOCK_TTL_S / _WAIT_STEP_S)):
            await asyncio.sleep(_WAIT_STEP_S)
            token = await self._store.get(_TOKEN_KEY)
            if token:
                return token
            if await self._store.get(_LOCK_KEY) is None:  # the other refresh failed: try ourselves
                if await self._store.add(_LOCK_KEY, "1", _LOCK_TTL_S):
                    try:
                        return await self._refresh()
                    finally:
                        await self._store.delete(_LOCK_KEY)
        raise AccessTokenError("timed out waiting for another instance to refresh the access_token")
