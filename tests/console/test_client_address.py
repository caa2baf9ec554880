"""Which address a console login counts against (bot/console/client_address.py), on requests as uvicorn hands
them to the app: a forwarded address replaces the peer and has port 0 (uvicorn's ProxyHeadersMiddleware)."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from bot.console.client_address import UNNAMED_PROXY, client_address
from bot.settings import get_settings


def request(client: tuple[str, int] | None, forwarded_for: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded_for.encode())] if forwarded_for else []
    return Request({"type": "http", "method": "POST", "path": "/console/api/login", "headers": headers,
                    "client": client})


@pytest.fixture
def trust(monkeypatch):
    def set_trust(value: bool | None) -> None:
        monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
        if value is None:
            monkeypatch.delenv("TRUST_FORWARDED_HEADERS", raising=False)
        else:
            monkeypatch.setenv("TRUST_FORWARDED_HEADERS", "1" if value else "0")
        get_settings.cache_clear()

    yield set_trust
    get_settings.cache_clear()


def test_by_default_a_forwarded_address_from_the_local_proxy_counts_as_the_proxy(trust) -> None:
    trust(None)
    assert get_settings().trust_forwarded_headers is False
    # uvicorn already put the header's address in place of 127.0.0.1: the peer counts, not the claim.
    assert client_address(request(("10.1.2.3", 0), "10.1.2.3")) == "127.0.0.1"
    assert client_address(request(("10.9.9.9", 0), "10.9.9.9")) == "127.0.0.1"


def test_a_direct_client_is_its_own_address_whatever_it_claims(trust) -> None:
    trust(False)
    # Not a trusted peer: uvicorn left the peer (with its port) and so does the throttle.
    assert client_address(request(("203.0.113.7", 51234), "10.1.2.3")) == "203.0.113.7"
    assert client_address(request(("203.0.113.7", 51234))) == "203.0.113.7"
    assert client_address(request(None)) is None


def test_behind_a_configured_proxy_the_forwarded_address_counts(trust) -> None:
    trust(True)
    assert client_address(request(("10.1.2.3", 0), "10.1.2.3")) == "10.1.2.3"
    assert client_address(request(("203.0.113.7", 51234))) == "203.0.113.7"


def test_several_trusted_proxies_share_one_address_when_not_trusted(trust, monkeypatch) -> None:
    trust(False)
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.1,10.0.0.2")
    assert client_address(request(("10.1.2.3", 0), "10.1.2.3")) == UNNAMED_PROXY
