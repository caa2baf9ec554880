"""The supervisor with real processes: restarts with growing delays, probe failures counted, stuck ones ended.

Every service here is a small `python -c` HTTP server (SERVER below) that notes each start in a file, answers
503 while a "sick" file exists, and can be told to exit at once. Delays are scaled down to tenths of a second.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.stack import HOST, Service, Stack
from bot.supervisor import Policy, State, Supervisor

SERVER = r"""
import http.server, os, sys, time
port, starts, sick, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
with open(starts, "a") as f:
    f.write(f"{time.monotonic()} {os.getpid()}\n")
if mode == "crash":
    sys.exit(3)

class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(503 if os.path.exists(sick) else 200)
        self.end_headers()
        self.wfile.write(b'{"model_file": "courier.tar.gz"}')  # what a Rasa health answer carries

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", port), Health).serve_forever()
"""

FAST = Policy(backoff_initial_s=0.2, backoff_max_s=0.8, backoff_reset_s=60, probe_interval_s=0.2,
              probe_timeout_s=0.5, probe_failures=3, start_timeout_s=20, stop_grace_s=0.5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Fleet:
    """A Stack of SERVER processes and a supervisor over it; `said` collects the operator messages."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.stack = Stack(var_dir=tmp_path)
        self.said: list[str] = []
        self.supervisor: Supervisor | None = None

    def service(self, name: str, mode: str = "serve") -> Service:
        port = free_port()
        command = [sys.executable, "-c", SERVER, str(port), str(self.starts_file(name)), str(self.sick_file(name)),
                   mode]
        return Service(name, command, port, "/health", self.tmp_path / f"{name}.log")

    def start(self, *services: Service, policy: Policy = FAST) -> Supervisor:
        self.stack.launch(list(services), timeout=30)
        self.supervisor = Supervisor(self.stack, policy, say=self.said.append)
        return self.supervisor

    def starts_file(self, name: str) -> Path:
        return self.tmp_path / f"{name}.starts"

    def sick_file(self, name: str) -> Path:
        return self.tmp_path / f"{name}.sick"

    def starts(self, name: str) -> list[tuple[float, int]]:
        lines = self.starts_file(name).read_text().split("\n") if self.starts_file(name).exists() else []
        return [(float(at), int(pid)) for at, pid in (line.split() for line in lines if line)]

    def pid(self, name: str) -> int:
        return self.stack_service(name).process.pid

    def stack_service(self, name: str) -> Service:
        return next(s for s in self.stack.services if s.name == name)

    def tick_until(self, condition: Callable[[], bool], timeout: float = 15.0) -> float:
        """Tick like the runner does until the condition holds; the seconds it took."""
        started = time.monotonic()
        while not condition():
            assert time.monotonic() - started < timeout, f"timed out; supervisor said: {self.said}"
            self.supervisor.tick()
            time.sleep(0.02)
        return time.monotonic() - started


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    running = Fleet(tmp_path)
    yield running
    if running.supervisor:
        running.supervisor.close()
    running.stack.stop(grace=2)


def test_backoff_doubles_up_to_the_maximum() -> None:
    policy = Policy(backoff_initial_s=1, backoff_max_s=30)
    assert [policy.backoff(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_killed_service_comes_back_while_the_others_keep_running(fleet: Fleet) -> None:
    supervisor = fleet.start(fleet.service("backend"), fleet.service("actions"))
    others = fleet.pid("actions")
    os.killpg(fleet.pid("backend"), signal.SIGKILL)

    took = fleet.tick_until(lambda: supervisor.watch("backend").state is State.UP
                            and supervisor.watch("backend").restarts == 1)

    assert took >= FAST.backoff_initial_s
    assert len(fleet.starts("backend")) == 2
    assert fleet.pid("actions") == others and supervisor.watch("actions").restarts == 0
    assert fleet.stack.probe(fleet.stack_service("backend"))
    assert any("backend is unavailable: it stopped unexpectedly (exit code -9)" in m for m in fleet.said)
    assert any("is back and answering" in m for m in fleet.said)
    assert "--- restarted" in fleet.stack_service("backend").log_path.read_text()


def test_a_service_that_keeps_crashing_waits_longer_each_time(fleet: Fleet) -> None:
    crashing = fleet.service("actions")
    supervisor = fleet.start(fleet.service("backend"), crashing)
    # From now on every start of it exits at once with code 3.
    crashing.command[-1] = "crash"
    os.killpg(crashing.process.pid, signal.SIGKILL)

    fleet.tick_until(lambda: len(fleet.starts("actions")) >= 6, timeout=20)

    starts = [at for at, _ in fleet.starts("actions")][1:6]
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    # Restarts 2..5 in a row: 0.4, 0.8 (the maximum), 0.8, 0.8 s after the previous exit.
    for gap, delay in zip(gaps, [0.4, 0.8, 0.8, 0.8], strict=True):
        assert delay <= gap < delay + 1.0, gaps
    assert supervisor.watch("backend").restarts == 0 and supervisor.watch("backend").state is State.UP
    assert any("exit code 3" in m for m in fleet.said)


def test_probe_failures_restart_a_running_service_only_after_n_in_a_row(fleet: Fleet) -> None:
    supervisor = fleet.start(fleet.service("rasa"))
    watch = supervisor.watch("rasa")
    first = fleet.pid("rasa")

    fleet.sick_file("rasa").touch()
    fleet.tick_until(lambda: watch.failures_in_a_row == FAST.probe_failures - 1)
    fleet.sick_file("rasa").unlink()
    fleet.tick_until(lambda: watch.failures_in_a_row == 0)
    assert fleet.pid("rasa") == first and watch.restarts == 0  # two failures then an answer: no restart

    fleet.sick_file("rasa").touch()
    fleet.tick_until(lambda: watch.state is not State.UP)
    assert watch.failures_in_a_row == FAST.probe_failures
    fleet.sick_file("rasa").unlink()
    fleet.tick_until(lambda: watch.state is State.UP)

    assert watch.restarts == 1 and fleet.pid("rasa") != first
    assert any("failed its health check 3 times in a row" in m for m in fleet.said)


def test_a_stuck_service_is_killed_and_restarted(fleet: Fleet) -> None:
    supervisor = fleet.start(fleet.service("rasa"), fleet.service("backend"))
    stuck = fleet.pid("rasa")
    # Stopped: the port still accepts connections but nothing answers, and SIGTERM is never acted on.
    os.kill(stuck, signal.SIGSTOP)

    took = fleet.tick_until(lambda: supervisor.watch("rasa").restarts == 1
                            and supervisor.watch("rasa").state is State.UP)

    assert fleet.pid("rasa") != stuck
    assert not Path(f"/proc/{stuck}").exists() or Path(f"/proc/{stuck}/stat").read_text().split()[2] == "Z"
    # Three probe timeouts, the stop grace, the first backoff delay.
    assert took >= FAST.probe_failures * FAST.probe_timeout_s + FAST.stop_grace_s + FAST.backoff_initial_s
    assert supervisor.watch("backend").restarts == 0


def test_good_health_for_the_reset_period_starts_the_backoff_over(fleet: Fleet) -> None:
    policy = Policy(backoff_initial_s=0.2, backoff_max_s=5, backoff_reset_s=1.0, probe_interval_s=0.1,
                    probe_timeout_s=0.5, probe_failures=3, start_timeout_s=20, stop_grace_s=0.5)
    supervisor = fleet.start(fleet.service("backend"), policy=policy)
    watch = supervisor.watch("backend")

    def crash_and_see_delay() -> float:
        os.killpg(fleet.pid("backend"), signal.SIGKILL)
        fleet.tick_until(lambda: watch.state is State.WAITING)
        delay = watch.deadline - watch.since
        fleet.tick_until(lambda: watch.state is State.UP)
        return delay

    assert crash_and_see_delay() == pytest.approx(0.2)
    assert crash_and_see_delay() == pytest.approx(0.4)  # soon after: doubled
    fleet.tick_until(lambda: watch.restarts_in_a_row == 0, timeout=5)
    assert crash_and_see_delay() == pytest.approx(0.2)  # after a healthy second: back to the start


def test_stopping_the_stack_ends_restarted_services_too(fleet: Fleet) -> None:
    supervisor = fleet.start(fleet.service("backend"))
    os.killpg(fleet.pid("backend"), signal.SIGKILL)
    fleet.tick_until(lambda: supervisor.watch("backend").state is State.UP)
    restarted = fleet.stack_service("backend")

    supervisor.close()
    fleet.stack.stop(grace=2)

    assert restarted.process.poll() is not None
    assert not fleet.stack.probe(restarted, timeout=0.5)
