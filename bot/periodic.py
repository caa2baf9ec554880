"""A pass repeated in a daemon thread of a long-lived process, surviving its own failures.

The parcel notifier, the data-retention purge, the handoff queue updates and the message analytics consumer are
each one: a subclass names the thread and says what one pass does and how long to wait before the next.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("bot.periodic")


class PeriodicThread:
    name = "periodic"
    join_s = 15.0
    # False: the first pass waits one interval (work that only exists once the process has served a while).
    start_at_once = True

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)

    def interval_s(self) -> float:
        raise NotImplementedError

    def run_pass(self) -> float | None:
        """One pass; the seconds until the next, or None for `interval_s()`."""
        raise NotImplementedError

    def close(self) -> None:
        """What the pass holds open (a broker connection), released once the thread has ended."""

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.join_s)
        self.close()

    def _loop(self) -> None:
        wait = 0.0 if self.start_at_once else self.interval_s()
        while not self._stop.wait(wait):
            try:
                next_in = self.run_pass()
            except Exception:  # a store or broker hiccup must not end the thread; the next pass catches up
                log.exception("%s: pass failed", self.name)
                next_in = None
            wait = self.interval_s() if next_in is None else next_in
