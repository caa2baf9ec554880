"""The one start / supervise / stop loop of `make run` and `make cluster` (bot/supervisor.py: serve_until_stopped).

A real child process stands in for a service, so "stopped" means the process is gone, and SIGTERM is really sent
to this process, as `kill` would.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.stack import Service, Stack, StackError
from bot.supervisor import Policy, Supervisor, raise_shutdown, serve_until_stopped


class Refused(StackError):
    pass


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    stack = Stack(var_dir=tmp_path)
    service = Service("sleeper", [sys.executable, "-c", "import time; time.sleep(300)"], 0, "/",
                      tmp_path / "sleeper.log")
    stack.services = [service]
    stack._spawn(service, dict(os.environ))
    yield stack
    stack.stop(grace=1)


@pytest.fixture
def sigterm_shuts_down() -> Iterator[None]:
    previous = signal.signal(signal.SIGTERM, raise_shutdown)
    yield
    signal.signal(signal.SIGTERM, previous)


def _explain(error: Exception) -> str:
    return f"did not start: {error}"


def test_a_refusal_is_told_in_one_line_exits_1_and_stops_what_started(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    def start() -> Supervisor:
        raise Refused("port 5005 taken")

    handler = signal.getsignal(signal.SIGINT)
    assert serve_until_stopped(stack, start, refused=(StackError,), explain=_explain, stopped="all stopped") == 1
    out, err = capsys.readouterr()
    assert "did not start: port 5005 taken" in err
    assert out.strip().endswith("all stopped")
    assert stack.services[0].process.poll() is not None
    assert signal.getsignal(signal.SIGINT) is handler


def test_an_unexpected_error_still_stops_everything(stack: Stack) -> None:
    def start() -> Supervisor:
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        serve_until_stopped(stack, start, refused=(StackError,), explain=_explain, stopped="all stopped")
    assert stack.services[0].process.poll() is not None


def test_sigterm_while_supervising_exits_0_closes_the_supervisor_and_stops_the_stack(
    stack: Stack, sigterm_shuts_down: None, capsys: pytest.CaptureFixture[str]
) -> None:
    supervisors: list[Supervisor] = []

    def start() -> Supervisor:
        supervisor = Supervisor(stack, Policy(probe_interval_s=60), say=lambda message: None)
        supervisors.append(supervisor)
        threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM)).start()
        return supervisor

    assert serve_until_stopped(stack, start, refused=(StackError,), explain=_explain, stopped="all stopped") == 0
    out = capsys.readouterr().out
    assert "Stopping…" in out and out.strip().endswith("all stopped")
    assert stack.services[0].process.poll() is not None
    assert supervisors[0]._probes._shutdown
    # The handler the caller installed is back once stopping is over.
    assert signal.getsignal(signal.SIGTERM) is raise_shutdown
