"""bot.health_probe against a real HTTP server on loopback: what counts as healthy for each service."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot import health_probe
from bot.settings import get_settings


class Handler(BaseHTTPRequestHandler):
    reply: tuple[int, bytes] = (200, b"{}")
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        Handler.seen.append(self.path)
        status, body = Handler.reply
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = httpd.server_address[1]
    for variable in ("RASA_PORT", "ACTION_PORT", "BACKEND_PORT"):
        monkeypatch.setenv(variable, str(port))
    monkeypatch.setenv("RASA_API_TOKEN", "t" * 32)
    get_settings.cache_clear()
    Handler.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield port
    httpd.shutdown()
    httpd.server_close()
    get_settings.cache_clear()


def test_rasa_is_healthy_when_the_turn_probe_names_a_model(server: int) -> None:
    Handler.reply = (200, json.dumps({"status": "ok", "model_file": "courier.tar.gz"}).encode())
    assert health_probe.main(["rasa"]) == 0
    assert Handler.seen == [f"/health/turn?token={'t' * 32}"]


@pytest.mark.parametrize("reply", [(200, b'{"model_file": ""}'), (503, b'{"reason": "no model loaded"}'),
                                   (200, b"not json")])
def test_rasa_without_a_usable_model_is_unhealthy(server: int, reply: tuple[int, bytes]) -> None:
    Handler.reply = reply
    assert health_probe.main(["rasa"]) == 1


@pytest.mark.parametrize("service", ["actions", "web"])
def test_actions_and_web_are_healthy_when_health_answers(server: int, service: str) -> None:
    Handler.reply = (200, b'{"status": "ok"}')
    assert health_probe.main([service]) == 0
    Handler.reply = (500, b"")
    assert health_probe.main([service]) == 1
    assert Handler.seen == ["/health", "/health"]


def test_nothing_listening_is_unhealthy(monkeypatch: pytest.MonkeyPatch) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    server.server_close()
    monkeypatch.setenv("BACKEND_PORT", str(port))
    get_settings.cache_clear()
    try:
        assert health_probe.main(["web"]) == 1
    finally:
        get_settings.cache_clear()


def test_unknown_service_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_:
        health_probe.main(["backend"])
    assert exit_.value.code == 2
