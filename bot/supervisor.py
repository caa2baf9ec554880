"""Keeps a started Stack serving: a service that exits or stops answering is restarted, with backoff.

`make run` (bot/runner.py) calls `tick()` twice a second. Each service is in one of four states:

    up ──exits / fails its probe N times in a row──▶ stopping ──gone (or killed after the grace)──▶ waiting
    ▲                                                                                                   │
    └──────── answers its probe ◀── starting ◀──────────────── backoff delay elapsed, started again ◀───┘

The health probe is the service's own (bot/stack.py): the backend's /health reads the database, the action
server's /health answers, Rasa's /health/turn runs a message through NLU and the policies (bot/rasa_health.py).
Probes run in worker threads with a timeout, so a stuck service never holds up the watch on the others, and a
service that is down or restarting never stops the others serving. The n-th restart in a row waits
initial × 2^(n-1) seconds, at most the maximum; a service that stays up for the reset period starts over at
the initial delay. A restarted service has the start timeout to answer (Rasa loads its model) before it
counts as failed again.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import Enum
from types import FrameType

from bot.settings import Settings
from bot.stack import Service, Stack

# What a customer meets while a service is down (see docs/operations.md), for the operator's message; by role
# (bot/stack.py: a cluster runs rasa-1, rasa-2… of role rasa and passes its own texts, bot/cluster).
CUSTOMER_IMPACT = {
    "backend": "customers are told politely that the system is busy and may try again or ask for a person",
    "actions": "customers are told politely that this step could not be completed and to write again shortly",
    "rasa": "the chat does not answer; the web chat shows that it is reconnecting",
}
_ROLE_LABELS = {"backend": "the backend", "actions": "the action server", "rasa": "Rasa"}


@dataclass(frozen=True)
class Policy:
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 30.0
    backoff_reset_s: float = 120.0
    probe_interval_s: float = 5.0
    probe_timeout_s: float = 10.0
    probe_failures: int = 3
    start_timeout_s: float = 300.0
    stop_grace_s: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            backoff_initial_s=settings.supervisor_backoff_initial_s,
            backoff_max_s=settings.supervisor_backoff_max_s,
            backoff_reset_s=settings.supervisor_backoff_reset_s,
            probe_interval_s=settings.supervisor_probe_interval_s,
            probe_timeout_s=settings.supervisor_probe_timeout_s,
            probe_failures=max(1, settings.supervisor_probe_failures),
            start_timeout_s=settings.supervisor_start_timeout_s,
        )

    def backoff(self, restarts_in_a_row: int) -> float:
        """Seconds to wait before the n-th restart in a row (n ≥ 1)."""
        return min(self.backoff_max_s, self.backoff_initial_s * 2 ** max(0, restarts_in_a_row - 1))


class State(Enum):
    UP = "up"
    STOPPING = "stopping"
    WAITING = "waiting"
    STARTING = "starting"


@dataclass
class Watch:
    """What the supervisor knows about one service."""

    service: Service
    state: State = State.UP
    since: float = field(default_factory=time.monotonic)  # when the current state began
    restarts_in_a_row: int = 0
    failures_in_a_row: int = 0
    restarts: int = 0  # every restart, for the operator and the tests
    down_since: float | None = None
    deadline: float = 0.0  # STOPPING: kill then; WAITING: start then
    next_probe: float = 0.0
    probe: Future | None = None


class Supervisor:
    def __init__(self, stack: Stack, policy: Policy, say: Callable[[str], None] = print,
                 impacts: Mapping[str, str] | None = None) -> None:
        self.stack = stack
        self.policy = policy
        self.say = say
        self.impacts = {**CUSTOMER_IMPACT, **(impacts or {})}
        now = time.monotonic()
        self.watches = [Watch(service, since=now, next_probe=now + policy.probe_interval_s)
                        for service in stack.services]
        # Two per service: a probe abandoned by a restart may still be waiting out its timeout.
        self._probes = ThreadPoolExecutor(max_workers=2 * max(1, len(self.watches)),
                                          thread_name_prefix="probe")

    def watch(self, name: str) -> Watch:
        return next(w for w in self.watches if w.service.name == name)

    def all_up(self) -> bool:
        return all(w.state is State.UP for w in self.watches)

    def tick(self) -> None:
        """Look at every service once and move it along; never blocks longer than starting a process."""
        for watch in self.watches:
            self._step(watch, time.monotonic())

    def close(self) -> None:
        """Stop probing (the stack is stopped separately, by its owner)."""
        self._probes.shutdown(wait=False, cancel_futures=True)

    def _step(self, watch: Watch, now: float) -> None:
        if watch.state is State.WAITING:
            if now >= watch.deadline:
                self._start(watch, now)
            return
        process = watch.service.process
        if watch.state is State.STOPPING:
            if process.poll() is None and now < watch.deadline:
                return
            self._wait_out(watch.service)
            self._schedule_restart(watch, now)
            return
        if process.poll() is not None:
            self._wait_out(watch.service)
            self._went_down(watch, now, f"it stopped unexpectedly (exit code {process.returncode})")
            self._schedule_restart(watch, now)
            return
        answered = self._probe_result(watch, now)
        if answered is None:
            return
        if answered:
            self._answered(watch, now)
        elif watch.state is State.STARTING:
            if now - watch.since > self.policy.start_timeout_s:
                self._stop(watch, now, f"it did not answer within {self.policy.start_timeout_s:.0f} s of starting")
        else:
            watch.failures_in_a_row += 1
            if watch.failures_in_a_row >= self.policy.probe_failures:
                self._went_down(watch, now, f"it runs but failed its health check {watch.failures_in_a_row} "
                                            "times in a row")
                self._stop(watch, now, "")

    def _answered(self, watch: Watch, now: float) -> None:
        watch.failures_in_a_row = 0
        if watch.state is State.STARTING:
            down = now - watch.down_since if watch.down_since is not None else 0.0
            self.say(f"{_label(watch).capitalize()} is back and answering "
                     f"(down {down:.1f} s, restart {watch.restarts}).")
            watch.state, watch.since, watch.down_since = State.UP, now, None
        elif watch.restarts_in_a_row and now - watch.since >= self.policy.backoff_reset_s:
            watch.restarts_in_a_row = 0  # healthy long enough: the next failure starts the backoff over

    def _went_down(self, watch: Watch, now: float, reason: str) -> None:
        if watch.down_since is None:
            watch.down_since = now
        impact = self.impacts.get(watch.service.role, "the other services keep serving")
        self.say(f"{_label(watch).capitalize()} is unavailable: {reason}. Meanwhile {impact}.")

    def _stop(self, watch: Watch, now: float, reason: str) -> None:
        if reason:
            self._went_down(watch, now, reason)
        self.stack.send(watch.service, signal.SIGTERM)
        watch.state, watch.since, watch.deadline = State.STOPPING, now, now + self.policy.stop_grace_s
        watch.probe = None

    def _schedule_restart(self, watch: Watch, now: float) -> None:
        watch.restarts_in_a_row += 1
        delay = self.policy.backoff(watch.restarts_in_a_row)
        watch.state, watch.since, watch.deadline = State.WAITING, now, now + delay
        watch.probe = None
        self.say(f"Restarting {_label(watch)} in {delay:.0f} s (restart {watch.restarts + 1}); "
                 f"its log: {watch.service.log_path}")

    def _start(self, watch: Watch, now: float) -> None:
        self.stack.respawn(watch.service)
        watch.restarts += 1
        watch.failures_in_a_row = 0
        watch.state, watch.since, watch.next_probe = State.STARTING, now, now

    def _probe_result(self, watch: Watch, now: float) -> bool | None:
        """The finished probe's answer, else None (and a new probe started when one is due)."""
        if watch.probe is None:
            if now >= watch.next_probe:
                watch.probe = self._probes.submit(self.stack.probe, watch.service, self.policy.probe_timeout_s)
            return None
        if not watch.probe.done():
            return None
        answered = watch.probe.result()
        watch.probe = None
        # While starting, look every second: "back" should be said as soon as it is true.
        interval = min(1.0, self.policy.probe_interval_s) if watch.state is State.STARTING else \
            self.policy.probe_interval_s
        watch.next_probe = now + interval
        return answered

    def _wait_out(self, service: Service) -> None:
        """End whatever is left of the service's process group and reap the leader, so its port is free."""
        self.stack.send(service, signal.SIGKILL)
        try:
            service.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass  # unkillable for now (uninterruptible I/O): the restart goes ahead and the log shows the rest


def _label(watch: Watch) -> str:
    service = watch.service
    role = _ROLE_LABELS.get(service.role, service.role)
    # One of several of a role (the cluster's rasa-2): say which.
    return role if service.name == service.role else f"{role} {service.name}"


class Shutdown(Exception):
    """Raised from the signal handler so SIGTERM unwinds like Ctrl-C does."""


def raise_shutdown(signum: int, frame: FrameType | None) -> None:
    raise Shutdown(signal.Signals(signum).name)


def say_with_time(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def serve_until_stopped(stack: Stack, start: Callable[[], Supervisor], *,
                        refused: tuple[type[Exception], ...], explain: Callable[[Exception], str],
                        stopped: str) -> int:
    """Start with `start()` (which returns the supervisor over the started stack), supervise until Ctrl-C or
    SIGTERM, then stop everything; the exit code: 1 when `start` raised one of `refused` (told on stderr by
    `explain`), else 0. Shared by `make run` (bot/runner.py) and `make cluster` (bot/cluster)."""
    supervisor: Supervisor | None = None
    try:
        supervisor = start()
        while True:
            supervisor.tick()
            time.sleep(0.5)
    except refused as error:
        print(f"\n{explain(error)}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Shutdown):
        print("\nStopping…", flush=True)
        return 0
    finally:
        # A second Ctrl-C while stopping must not leave children behind; the caller's handlers come back after
        # (an ignored signal would otherwise be inherited by every process started later).
        previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
        if supervisor:
            supervisor.close()
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print(stopped, flush=True)
