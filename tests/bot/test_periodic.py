"""The background pass thread: passes repeat, a failing pass does not end the thread, stop ends it."""

from __future__ import annotations

import threading

from bot.periodic import PeriodicThread


class Counting(PeriodicThread):
    name = "counting"

    def __init__(self, fail_first: bool = False, start_at_once: bool = True) -> None:
        super().__init__()
        self.start_at_once = start_at_once
        self.passes = 0
        self.closed = False
        self.fail_first = fail_first
        self.third = threading.Event()

    def interval_s(self) -> float:
        return 0.01

    def run_pass(self) -> None:
        self.passes += 1
        if self.passes == 3:
            self.third.set()
        if self.fail_first and self.passes == 1:
            raise RuntimeError("the database is away")

    def close(self) -> None:
        self.closed = True


def test_passes_repeat_past_a_failure_until_stopped() -> None:
    worker = Counting(fail_first=True)
    worker.start()
    assert worker.third.wait(5), worker.passes
    worker.stop()
    stopped_at = worker.passes
    assert worker.closed and not worker._thread.is_alive()
    assert worker.passes == stopped_at


def test_a_worker_that_waits_first_runs_no_pass_when_stopped_at_once() -> None:
    worker = Counting(start_at_once=False)
    worker.interval_s = lambda: 60.0  # type: ignore[method-assign]
    worker.start()
    worker.stop()
    assert worker.passes == 0 and worker.closed
