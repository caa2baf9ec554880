"""Sending text to a WeChat customer through the customer-service message API (客服消息).

Used for replies that missed the passive-reply window, for agents' replies and for notices. WeChat allows
these within 48 hours of the customer's last message. The base URL is configurable so tests can point it
at a local fake.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp

from bot.channels.wechat.access_token import AccessTokenProvider
from bot.channels.wechat.render import split_text

logger = logging.getLogger(__name__)

_HTTP_TIMEOUT = aiohttp.ClientTimeout(total=5)
# Token expired, invalid or revoked by a refresh elsewhere: fetch a new one and retry once.
_STALE_TOKEN_ERRORS = {40001, 40014, 42001}


class CustomerServiceError(RuntimeError):
    def __init__(self, errcode: Any, errmsg: Any) -> None:
        super().__init__(f"WeChat customer-service API error {errcode}: {errmsg}")
        self.errcode = errcode


class CustomerServiceApi:
    def __init__(self, api_base: str, tokens: AccessTokenProvider) -> None:
        self._url = f"{api_base.rstrip('/')}/cgi-bin/message/custom/send"
        self._tokens = tokens

    async def send_text(self, openid: str, text: str) -> int:
        """Send `text`, split into as many messages as WeChat's size limit needs; returns how many."""
        chunks = split_text(text)
        for chunk in chunks:
            await self._send({"touser": openid, "msgtype": "text", "text": {"content": chunk}})
        return len(chunks)

    async def _send(self, payload: dict[str, Any]) -> None:
        for attempt in range(2):
            token = await self._tokens.get()
            result = await self._post(token, payload)
            errcode = result.get("errcode", 0)
            if errcode == 0:
                return
            if errcode in _STALE_TOKEN_ERRORS and attempt == 0:
                await self._tokens.invalidate(token)
                continue
            raise CustomerServiceError(errcode, result.get("errmsg"))

    async def _post(self, token: str, payload: dict[str, Any]) -> dict[str, Any]:
        # WeChat expects UTF-8 text in the body rather than ASCII escapes.
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        try:
            async with aiohttp.ClientSession(timeout=_HTTP_TIMEOUT) as session:
                async with session.post(self._url, params={"access_token": token}, data=body, headers=headers) as resp:
                    return await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise CustomerServiceError("unreachable", type(exc).__name__) from exc
