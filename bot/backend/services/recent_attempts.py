"""A sliding-window count of attempts per key, in this process: the rate limit of the public chat routes.

The photo upload (services/chat_uploads.py) and the console's typing signal (bot/console/typing.py) count per
chat session and per client address before they read a body or touch the database. Several web processes each
count their own; the database-backed counters (services/proof_attempts.py) are for what must hold across them.
"""

from __future__ import annotations

import threading
import time
from collections import deque

HOUR_S = 3600


class Attempts:
    """Attempts per key (chat session, client address) in a sliding window (an hour unless told), in this process.

    Uploads are counted before the body is read, so a client cannot keep the server reading bad photos; the
    console's typing signal (bot/console/typing.py) uses the same windows. The keys kept are bounded: the oldest
    key is forgotten first when a flood of fresh ones arrives.
    """

    MAX_KEYS = 20000

    def __init__(self) -> None:
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int, now: float | None = None, window_s: float = HOUR_S) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._seen.pop(key, None) or deque()
            while times and times[0] <= now - window_s:
                times.popleft()
            allowed = len(times) < limit
            if allowed:
                times.append(now)
            self._seen[key] = times  # re-inserted last: the dict's order is the order of last use
            while len(self._seen) > self.MAX_KEYS:
                self._seen.pop(next(iter(self._seen)))
            return allowed

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()
