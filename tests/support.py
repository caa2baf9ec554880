"""Shared test helpers (import as `tests.support`).

Tests that need PostgreSQL, Redis or RabbitMQ call `require_service`: in CI (env CI set) a missing service is a
failure, on a developer machine it is a skip with the reason.
"""

from __future__ import annotations

import os
import socket

import pytest


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
