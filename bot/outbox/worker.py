"""The background thread that delivers due outbox items, one claim batch at a time.

`deliver` decides per item: `Delivered` (the row goes), `Refused` (the backend will never take it: the row goes,
logged; the customer hears it on the next turn, which retries with the same key), or `RetryLater` (backoff).
An unexpected exception counts as RetryLater: a promise is never dropped by a bug in one try.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from bot.outbox.store import Item, Outbox

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivered:
    pass


@dataclass(frozen=True)
class Refused:
    reason: str


@dataclass(frozen=True)
class RetryLater:
    reason: str


Outcome = Delivered | Refused | RetryLater


class Worker:
    def __init__(self, outbox: Outbox, deliver: Callable[[Item], Outcome], *, poll_s: float = 1.0,
                 batch: int = 10) -> None:
        self.outbox = outbox
        self.deliver = deliver
        self.poll_s = poll_s
        self.batch = batch
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Worker:
        self._thread = threading.Thread(target=self._run, name="outbox-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once() == self.batch
            except SQLAlchemyError as error:
                # The outbox database is away: the items are safe in it, try again after a pause.
                logger.warning("outbox unavailable: %s", type(error).__name__)
                busy = False
            if not busy:
                self._stop.wait(self.poll_s)

    def run_once(self) -> int:
        """Claim and try one batch; how many items were claimed."""
        items = self.outbox.claim(self.batch)
        for index, item in enumerate(items):
            if not self._try(item):
                # The backend is away: the rest of the batch would wait for the same timeouts one by one.
                for rest in items[index + 1:]:
                    self.outbox.retry_later(rest, "not tried: backend away")
                break
        return len(items)

    def _try(self, item: Item) -> bool:
        """False when the item has to wait for a later try."""
        try:
            outcome = self.deliver(item)
        except Exception as error:  # noqa: BLE001 - any failure of one try means "later", never "lost"
            logger.exception("outbox %s delivery failed unexpectedly", item.kind)
            outcome = RetryLater(type(error).__name__)
        if isinstance(outcome, RetryLater):
            delay = self.outbox.retry_later(item, outcome.reason)
            logger.info("outbox %s not delivered (try %d: %s); next try in %.0f s", item.kind, item.attempts,
                        outcome.reason, delay)
            return False
        if isinstance(outcome, Refused):
            logger.warning("outbox %s refused by the backend (%s); the customer is told on the next turn",
                           item.kind, outcome.reason)
        else:
            logger.info("outbox %s delivered after %d tries", item.kind, item.attempts)
        self.outbox.done(item)
        return True
