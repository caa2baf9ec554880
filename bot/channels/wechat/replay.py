"""Each signed WeChat request (timestamp + nonce) carries one body, once.

In plaintext mode the signature covers only token, timestamp and nonce, not the body: whoever captured one
request could, while its timestamp is fresh, send any other body under the same signature. So the body first
seen with a timestamp/nonce pair is remembered (its digest, for as long as the timestamp is accepted);
the same pair with another body is a replay and is refused. The same pair with the same body is let through:
that is WeChat retrying, and the message-id dedupe answers it with the reply already given.

Kept in Redis when REDIS_URL is set (a replay may reach another instance), else in memory.
"""

from __future__ import annotations

import hashlib

from bot.channels.kv import KeyValueStore

# WeChat's nonces are short digit strings; a longer one cannot be WeChat's and is not worth a key.
MAX_NONCE_CHARS = 64


class ReplayGuard:
    def __init__(self, store: KeyValueStore, window_s: float) -> None:
        self._store = store
        # Timestamps are accepted up to window_s either side of now: remember a pair as long as that.
        self._ttl_s = 2 * max(window_s, 1) + 5

    async def admit(self, timestamp: str | None, nonce: str | None, body: bytes) -> bool:
        """True the first time a timestamp/nonce pair is seen, and for the same body again (a retry)."""
        if not timestamp or not nonce or len(nonce) > MAX_NONCE_CHARS or len(timestamp) > 20:
            return False
        key = f"{timestamp}:{nonce}"
        digest = hashlib.sha256(body or b"").hexdigest()
        if await self._store.add(key, digest, self._ttl_s):
            return True
        return await self._store.get(key) == digest
