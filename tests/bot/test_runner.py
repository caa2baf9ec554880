"""The process runner: clear refusals before anything starts, and stopping leaves no process behind."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runner import banner, run
from bot.settings import Settings
from bot.stack import HOST, PortInUse, Ports, Service, Stack, StackError, port_in_use


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    sock = socket.socket()
    sock.bind((HOST, 0))
    sock.listen()
    yield sock
    sock.close()


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.tar.gz"
    path.write_bytes(b"only its existence is checked before the ports")
    return path


def test_port_in_use_sees_a_listening_socket(listening: socket.socket) -> None:
    assert port_in_use(listening.getsockname()[1])


def test_free_ports_are_distinct_and_free() -> None:
    ports = Ports.free()
    assert len({ports.backend, ports.rasa, ports.actions}) == 3
    assert not any(port_in_use(port) for port in (ports.backend, ports.rasa, ports.actions))


def test_a_taken_port_is_named_and_nothing_starts(
    listening: socket.socket, model_file: Path, tmp_path: Path
) -> None:
    taken = listening.getsockname()[1]
    free = Ports.free()
    stack = Stack()
    with pytest.raises(PortInUse, match=rf"{taken} \(rasa\).*already in use"):
        stack.start(Ports(backend=free.backend, rasa=taken, actions=free.actions), model=model_file,
                     var_dir=tmp_path)
    assert all(service.process is None for service in stack.services)


def test_missing_model_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(StackError, match="make train"):
        Stack().start(Ports.free(), model=tmp_path / "absent.tar.gz", var_dir=tmp_path)


def test_runner_reports_a_taken_port_and_exits_1(
    listening: socket.socket, model_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    taken = listening.getsockname()[1]
    free = Ports.free()
    monkeypatch.setenv("BACKEND_PORT", str(free.backend))
    monkeypatch.setenv("RASA_PORT", str(free.rasa))
    monkeypatch.setenv("ACTION_PORT", str(taken))
    monkeypatch.setenv("COURIER_VAR_DIR", str(tmp_path))
    assert run(Settings(), model_file) == 1
    assert f"{taken} (actions) already in use" in capsys.readouterr().err


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0) until reaped; it no longer holds anything.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_stop_ends_children_and_their_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    # A child that starts a grandchild and ignores SIGTERM: stop() must still end both.
    script = (
        "import signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(300)\n"
    )
    stack = Stack()
    service = Service("stubborn", [sys.executable, "-c", script], 0, "/", tmp_path / "stubborn.log")
    stack.services = [service]
    stack._spawn(service, dict(os.environ))
    deadline = time.monotonic() + 20
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    grandchild = int(pid_file.read_text())

    stack.stop(grace=1)

    assert service.process.poll() is not None
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(grandchild)


def test_banner_names_every_url(tmp_path: Path) -> None:
    stack = Stack(ports=Ports(backend=8000, rasa=5005, actions=5055), var_dir=tmp_path)
    stack.services = [Service("backend", [], 8000, "/health", tmp_path / "b.log")]
    text = banner(stack, Path("models/courier.tar.gz"))
    for url in ("http://localhost:8000/chat/", "http://localhost:5005", "http://localhost:5055/health",
                "http://localhost:8000/docs", "rasa shell"):
        assert url in text
    assert "?rasa=" not in text  # the page finds Rasa on its default port by itself


@pytest.mark.parametrize("starter_ignores_sigterm", [False, True])
def test_children_stop_when_their_starter_is_killed(tmp_path: Path, starter_ignores_sigterm: bool) -> None:
    """kill -9 of `make run` or of a test run must not leave servers holding the ports.

    Also when the starter ignores SIGTERM: an ignored signal is inherited across exec, and would swallow the
    parent-death signal.
    """
    pid_file = tmp_path / "child.pid"
    ignore = "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n" if starter_ignores_sigterm else ""
    starter_script = (
        "import os, signal, sys, time\n"
        f"{ignore}"
        "from pathlib import Path\n"
        "from bot.stack import Service, Stack\n"
        "stack = Stack()\n"
        f"child = Service('sleeper', [sys.executable, '-c', 'import time; time.sleep(300)'], 0, '/', "
        f"Path({str(tmp_path / 'sleeper.log')!r}))\n"
        "stack._spawn(child, dict(os.environ))\n"
        f"Path({str(pid_file)!r}).write_text(str(child.process.pid))\n"
        "time.sleep(300)\n"
    )
    starter = subprocess.Popen([sys.executable, "-c", starter_script])
    try:
        deadline = time.monotonic() + 30
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        child = int(pid_file.read_text())
        assert _alive(child)
        starter.kill()
        starter.wait(timeout=10)
        # Generous: on a loaded 2-core machine the signal may take a while to be acted on.
        deadline = time.monotonic() + 60
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child), "the child outlived its killed starter"
    finally:
        if starter.poll() is None:
            starter.kill()
