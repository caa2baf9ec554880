"""`make run` twice in a row: the runner starts everything, Ctrl-C / SIGTERM stops everything, ports come back.

Marked e2e: it starts the real stack (twice), so it runs with `make e2e`, not `make unit`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bot.settings import ROOT
from bot.stack import DEFAULT_MODEL, Ports, port_in_use

MODEL = Path(os.environ.get("COURIER_E2E_MODEL") or DEFAULT_MODEL)
START_TIMEOUT_S = 300


def start_runner(ports: Ports, var_dir: Path) -> tuple[subprocess.Popen, list[str]]:
    env = {**os.environ, "BACKEND_PORT": str(ports.backend), "RASA_PORT": str(ports.rasa),
           "ACTION_PORT": str(ports.actions), "COURIER_VAR_DIR": str(var_dir)}
    runner = subprocess.Popen([sys.executable, "-m", "bot.runner", "--model", str(MODEL)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + START_TIMEOUT_S
    for line in runner.stdout:
        lines.append(line)
        if line.startswith("Press Ctrl-C") or time.monotonic() > deadline:
            break
    return runner, lines


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line or environment contains `text` (children inherit the var dir)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            cmdline += (entry / "environ").read_bytes().decode(errors="replace")
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if text in cmdline and state != "Z" and int(entry.name) != os.getpid():
            found.append(int(entry.name))
    return found


def stop_runner(runner: subprocess.Popen, sig: signal.Signals) -> int:
    runner.send_signal(sig)
    try:
        return runner.wait(timeout=60)
    finally:
        if runner.poll() is None:
            runner.kill()


@pytest.mark.e2e
def test_run_stop_run_again(tmp_path: Path) -> None:
    ports = Ports.free()
    for round_number, sig in enumerate((signal.SIGINT, signal.SIGTERM), start=1):
        runner, lines = start_runner(ports, tmp_path)
        output = "".join(lines)
        try:
            assert runner.poll() is None, f"round {round_number}: the runner exited:\n{output}"
            assert f"http://localhost:{ports.backend}/chat/" in output and "?rasa=" not in output
            # The REST channel's own health route: public, unlike Rasa's API (/version needs the token now)
            assert requests.get(f"http://127.0.0.1:{ports.rasa}/webhooks/rest/", timeout=10).ok
            assert requests.get(f"http://127.0.0.1:{ports.rasa}/version", timeout=10).status_code == 401
            assert requests.get(f"http://127.0.0.1:{ports.actions}/health", timeout=10).ok
            assert requests.get(f"http://127.0.0.1:{ports.backend}/health", timeout=10).ok
        finally:
            code = stop_runner(runner, sig)
        assert code == 0, f"round {round_number}: exit code {code}"
        assert processes_mentioning(str(tmp_path)) == [], "a child process outlived the runner"
        assert not any(port_in_use(port) for port in (ports.backend, ports.rasa, ports.actions))
