"""Shared test helpers (import as `tests.support`).

Tests that need PostgreSQL, Redis or RabbitMQ call `require_service`: in CI (env CI set) a missing service is a
failure, on a developer machine it is a skip with the reason.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from bot.settings import ROOT

# Debian's Chromium, started the way this machine's closed network needs (no background connections).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "tests" / "artifacts"
# The KPI page's figures of each end-to-end stack (tests/e2e/conftest.py), added up and printed by tests/conftest.py.
E2E_KPI = pytest.StashKey[list]()


def service_reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    if service_reachable(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI requires it)")
    pytest.skip(message)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot of a Playwright page as a test artefact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
