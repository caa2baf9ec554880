"""Each WeChat message handled once, although WeChat retries it (3 times, 5 s apart) with the same id.

Messages are keyed by the sender (FromUserName, the customer's openid) + MsgId: WeChat makes no promise that a
MsgId is unique across users, and keyed on MsgId alone a second customer's message that happened to share one
would be taken for a retry and dropped. Events (which have no MsgId) are keyed by sender + CreateTime, as
WeChat's documentation says, + the event type, so two different events in the same second both count. The store
remembers keys for a few minutes — in memory by default, in Redis when several instances share the traffic —
and the passive reply given, so a retry that reaches another instance can be answered with the same reply.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.channels.kv import KeyValueStore


def message_key(fields: Mapping[str, str]) -> str:
    sender = fields.get("FromUserName", "")
    msg_id = fields.get("MsgId") or fields.get("MsgID")
    if msg_id:
        return f"msg:{sender}:{msg_id}"
    return f"evt:{sender}:{fields.get('CreateTime', '')}:{fields.get('Event', '')}"


class DedupeStore:
    def __init__(self, store: KeyValueStore, ttl_s: float = 300) -> None:
        self._store = store
        self._ttl_s = ttl_s

    async def first_seen(self, key: str) -> bool:
        """True exactly once per key within the TTL, across every instance sharing the store."""
        return await self._store.add(f"seen:{key}", "1", self._ttl_s)

    async def remember_reply(self, key: str, content: str) -> None:
        await self._store.set(f"reply:{key}", content, self._ttl_s)

    async def reply_for(self, key: str) -> str | None:
        return await self._store.get(f"reply:{key}")
