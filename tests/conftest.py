"""Fixtures shared by every test folder: a headless Chromium per test module, a private Redis namespace."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.support import CHROMIUM, CHROMIUM_ARGS, require_service


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's Chromium driven by Playwright (test tools cannot download browsers here)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Chromium is not installed: run `make browser`.", pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def redis_namespace() -> Iterator[str]:
    """A namespace of its own in the shared Redis, removed afterwards."""
    require_service("Redis", "127.0.0.1", 6379)
    import redis

    namespace = f"test-{uuid.uuid4().hex}"
    yield namespace
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    keys = list(client.scan_iter(f"courier:{namespace}:*"))
    if keys:
        client.delete(*keys)
