"""One WeChat message's trip through the assistant, shared by WeChat's retries of that message.

WeChat waits 5 s for a reply and retries the same message. The first request starts the assistant; the
request and its retries wait on the same task. The reply is delivered exactly one way: passively to a
request that sees it in time, or — once any request has answered "success" — through the
customer-service API when it is ready.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import Enum


@dataclass
class Outcome:
    # Reply texts, each within WeChat's size limit; empty when there is nothing to say.
    chunks: list[str] = field(default_factory=list)
    # Set when another instance owns the message: the passive reply it gave, if any.
    handled_elsewhere: bool = False
    replayed: str | None = None


class Delivery(Enum):
    PASSIVE = "passive"
    PUSH = "push"


@dataclass
class Turn:
    task: asyncio.Future[Outcome]
    delivery: Delivery | None = None

    def claim(self, delivery: Delivery) -> bool:
        """Choose how the reply goes out; only the first choice counts (no await: atomic in the loop)."""
        if self.delivery is None:
            self.delivery = delivery
            return True
        return False


class TurnRegistry:
    """Turns of this process by dedupe key, forgotten after the dedupe TTL."""

    def __init__(self, ttl_s: float) -> None:
        self._turns: dict[str, Turn] = {}
        self._ttl_s = ttl_s

    def get(self, key: str) -> Turn | None:
        return self._turns.get(key)

    def add(self, key: str, turn: Turn) -> None:
        self._turns[key] = turn
        asyncio.get_running_loop().call_later(self._ttl_s, self._forget, key, turn)

    def _forget(self, key: str, turn: Turn) -> None:
        if self._turns.get(key) is turn:
            del self._turns[key]
