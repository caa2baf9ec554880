"""Which address a console login counts against: requests go through the ASGI stack uvicorn builds from
the web process's options (bot/web_app/__main__.py) into bot/console/client_address.py, as a real
server would hand them over."""

from __future__ import annotations

import asyncio

import pytest
import uvicorn
from starlette.requests import Request

from bot.console.client_address import client_address
from bot.settings import get_settings
from bot.web_app.__main__ import server_options


def address_seen(peer: tuple[str, int] | None, forwarded_for: str | None = None) -> str | None:
    """The throttle's address for one request from `peer`, through uvicorn's app wrapping for these settings."""
    seen: list[str | None] = []

    async def app(scope, receive, send) -> None:
        seen.append(client_address(Request(scope)))

    options = {key: value for key, value in server_options(get_settings()).items() if key != "log_config"}
    config = uvicorn.Config(app, **options)
    config.load()
    headers = [(b"x-forwarded-for", forwarded_for.encode())] if forwarded_for else []
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/console/api/login", "raw_path": b"/console/api/login", "query_string": b"",
             "root_path": "", "headers": headers, "client": peer, "server": ("127.0.0.1", 8000)}
    asyncio.run(config.loaded_app(scope, None, None))
    return seen[0]


@pytest.fixture
def trust(monkeypatch):
    def set_trust(value: bool | None, allow_ips: str | None = None) -> None:
        if allow_ips is None:
            monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
        else:
            monkeypatch.setenv("FORWARDED_ALLOW_IPS", allow_ips)
        if value is None:
            monkeypatch.delenv("TRUST_FORWARDED_HEADERS", raising=False)
        else:
            monkeypatch.setenv("TRUST_FORWARDED_HEADERS", "1" if value else "0")
        get_settings.cache_clear()

    yield set_trust
    get_settings.cache_clear()


def test_by_default_the_server_reads_no_proxy_headers(trust) -> None:
    trust(None)
    assert get_settings().trust_forwarded_headers is False
    assert server_options(get_settings())["proxy_headers"] is False


def test_by_default_a_local_sender_counts_as_itself_whatever_address_it_claims(trust) -> None:
    trust(None)
    assert address_seen(("127.0.0.1", 51234), "10.1.2.3") == "127.0.0.1"
    assert address_seen(("127.0.0.1", 51235), "10.9.9.9") == "127.0.0.1"


def test_a_direct_client_is_its_own_address_whatever_it_claims(trust) -> None:
    trust(False, allow_ips="*")  # the proxy list does not matter while the setting is off
    assert address_seen(("203.0.113.7", 51234), "10.1.2.3") == "203.0.113.7"
    assert address_seen(("203.0.113.7", 51234)) == "203.0.113.7"
    assert address_seen(None) is None


def test_behind_a_configured_proxy_the_forwarded_address_counts(trust) -> None:
    trust(True)
    assert server_options(get_settings())["proxy_headers"] is True
    assert address_seen(("127.0.0.1", 51234), "10.1.2.3") == "10.1.2.3"
    assert address_seen(("127.0.0.1", 51234)) == "127.0.0.1"


def test_behind_a_configured_proxy_only_the_allowed_proxies_may_name_the_client(trust) -> None:
    trust(True, allow_ips="10.0.0.1,10.0.0.2")
    assert address_seen(("10.0.0.2", 40000), "198.51.100.4") == "198.51.100.4"
    # Any other peer is a direct client: its claim is ignored.
    assert address_seen(("203.0.113.7", 51234), "10.1.2.3") == "203.0.113.7"
    assert address_seen(("127.0.0.1", 51234), "10.1.2.3") == "127.0.0.1"
