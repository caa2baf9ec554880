"""A photo address in message metadata is the customer's word: the action server must not be made to call
internal services with it (server-side request forgery, issue 13)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from actions.photo_fetch import download_photo, fetchable
from bot.settings import get_settings

pytestmark = pytest.mark.security

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class _Server:
    def __init__(self, redirect_to: str | None = None) -> None:
        self.hits: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                outer.hits.append(self.path)
                if redirect_to and self.path != "/final.png":
                    self.send_response(302)
                    self.send_header("Location", redirect_to)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(PNG)))
                self.end_headers()
                self.wfile.write(PNG)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server() -> Iterator[_Server]:
    running = _Server()
    yield running
    running.httpd.shutdown()


@pytest.fixture
def allow_private(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PHOTO_FETCH_ALLOW_PRIVATE", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_an_address_on_this_machine_is_never_called_by_default(server: _Server) -> None:
    assert download_photo(f"{server.url}/api/v1/parcels.png") is None
    assert server.hits == []


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/x.png", "http://localhost/x.png", "http://[::1]/x.png", "http://10.0.0.8/x.png",
    "http://192.168.1.1/x.png", "http://172.16.5.5/x.png", "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/x.png", "http://2130706433/x.png", "http://[::ffff:127.0.0.1]/x.png",
    "file:///etc/passwd", "gopher://127.0.0.1:6379/_FLUSHALL", "ftp://example.com/x.png",
    "http://user:pw@example.com/x.png", "http://example.com:6379/x.png", "http:///x.png", "http://[::1/x.png",
    "not a url", "",
])
def test_internal_odd_or_foreign_scheme_addresses_are_refused(url: str) -> None:
    assert not fetchable(url)
    assert download_photo(url) is None


def test_a_simulator_on_this_machine_works_when_the_setting_allows_it(server: _Server, allow_private) -> None:
    assert download_photo(f"{server.url}/photo.png") == (PNG, "image/png")


def test_redirects_are_not_followed(allow_private) -> None:
    final = _Server()
    hop = _Server(redirect_to=f"{final.url}/final.png")
    try:
        assert download_photo(f"{hop.url}/photo.png") is None
        assert hop.hits == ["/photo.png"] and final.hits == []
    finally:
        hop.httpd.shutdown()
        final.httpd.shutdown()


def test_a_non_string_address_is_refused() -> None:
    assert download_photo(["http://example.com/x.png"]) is None  # type: ignore[arg-type]
