"""Issue 13, finding 2, without a server: what the Rasa API guard lets through, how Rasa and the stack are started.

The end-to-end side (every route of the real server, CORS answers) is tests/e2e/test_security_rasa_api.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from bot import rasa_server
from bot.rasa_api_guard import API_CORS_RESOURCE, install_guard, is_public, refusal
from bot.settings import ROOT, Settings, get_settings
from bot.stack import Ports, Service, Stack, _healthy

pytestmark = pytest.mark.security

TOKEN = "t0ken-for-the-tests-0123456789"
API_PATHS = ["/", "/version", "/status", "/domain", "/model", "/model/parse", "/model/train", "/model/predict",
             "/model/test/intents", "/conversations/x/tracker", "/conversations/x/tracker/events",
             "/conversations/x/story", "/conversations/x/execute", "/conversations/x/trigger_intent",
             "/conversations/x/predict", "/conversations/x/messages", "/socket.iox", "/webhooksx/rest"]
PUBLIC_PATHS = ["/webhooks/rest/webhook", "/webhooks/rest/", "/webhooks/wechat/webhook", "/webhooks/socketio/push",
                "/socket.io/", "/socket.io"]


@pytest.fixture(autouse=True)
def _fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize("path", API_PATHS)
def test_every_api_path_needs_the_token(path: str) -> None:
    for provided in (None, "", "wrong", TOKEN[:-1], TOKEN + "x"):
        answer = refusal(path, provided, TOKEN)
        assert answer is not None and answer.status == 401
        assert json.loads(answer.body)["reason"] == "NotAuthenticated"
    assert refusal(path, TOKEN, TOKEN) is None


@pytest.mark.parametrize("path", API_PATHS)
def test_without_a_configured_token_the_api_is_closed(path: str) -> None:
    for provided in (None, ""):
        assert refusal(path, provided, "").status == 401


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_channel_webhooks_and_socketio_stay_public(path: str) -> None:
    assert is_public(path)
    assert refusal(path, None, TOKEN) is None


def test_the_guard_runs_before_any_other_request_middleware() -> None:
    from sanic import Sanic

    app = Sanic(f"guard_order_{id(object())}")

    async def earlier(request):  # e.g. sanic-cors' or Rasa's own middleware
        return None

    app.register_middleware(earlier, "request")
    install_guard(app, TOKEN)
    assert app.request_middleware[0] is not earlier
    assert len(app.request_middleware) == 2


def test_sanic_cors_leaves_socketio_to_engineio() -> None:
    import re

    assert re.match(API_CORS_RESOURCE, "/conversations/x/tracker")
    assert re.match(API_CORS_RESOURCE, "/webhooks/rest/webhook")
    assert not re.match(API_CORS_RESOURCE, "/socket.io/")
    assert not re.match(API_CORS_RESOURCE, "/socket.io")


def test_rasa_gets_the_token_and_origins_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_API_TOKEN", TOKEN)
    monkeypatch.setenv("CORS_ORIGINS", "https://kuaidi.example.com")
    arguments = rasa_server.server_arguments(["run", "--enable-api"])
    assert arguments == ["run", "--enable-api", f"--auth-token={TOKEN}", "--cors", "https://kuaidi.example.com"]


def test_a_token_that_starts_with_a_dash_reaches_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    # secrets.token_urlsafe starts with "-" once in 64 draws; as a separate argument Rasa refused to start.
    from rasa.__main__ import create_argument_parser

    monkeypatch.setenv("RASA_API_TOKEN", "-" + TOKEN)
    parsed = create_argument_parser().parse_args(rasa_server.server_arguments(["run", "--enable-api"]))
    assert parsed.auth_token == "-" + TOKEN


def test_a_token_on_the_command_line_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit, match="RASA_API_TOKEN"):
        rasa_server.server_arguments(["run", "--auth-token", TOKEN])
    with pytest.raises(SystemExit, match="RASA_API_TOKEN"):
        rasa_server.server_arguments(["run", f"--auth-token={TOKEN}"])


def test_cors_defaults_to_the_chat_pages_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CORS_ORIGINS", "PUBLIC_BASE_URL", "BACKEND_URL", "BACKEND_HOST", "BACKEND_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert Settings().cors_origin_list == ["http://localhost:8000", "http://127.0.0.1:8000"]
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://kuaidi.example.com/")
    assert Settings().cors_origin_list == ["https://kuaidi.example.com"]
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example/")
    assert Settings().cors_origin_list == ["https://a.example", "https://b.example"]
    assert "*" not in Settings().cors_origin_list


def test_the_stack_starts_rasa_without_wildcard_cors_and_hands_everyone_the_token(tmp_path: Path,
                                                                                   monkeypatch) -> None:
    monkeypatch.delenv("RASA_API_TOKEN", raising=False)
    stack = Stack(ports=Ports(backend=1, rasa=2, actions=3), var_dir=tmp_path, rasa_api_token=TOKEN)
    plan = stack._plan(tmp_path / "model.tar.gz")
    rasa = next(s for s in plan if s.name == "rasa")
    assert "--cors" not in rasa.command and "*" not in rasa.command
    assert TOKEN not in " ".join(part for service in plan for part in service.command)
    assert stack._child_env({})["RASA_API_TOKEN"] == TOKEN


def test_each_start_makes_its_own_token_unless_one_is_set(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("RASA_API_TOKEN", raising=False)
    tokens = []
    for _ in range(2):
        stack = Stack()
        with pytest.raises(Exception, match="make train"):
            stack.start(Ports.free(), model=tmp_path / "absent.tar.gz", var_dir=tmp_path)
        tokens.append(stack.rasa_api_token)
    assert len(set(tokens)) == 2 and all(len(token) >= 32 for token in tokens)
    monkeypatch.setenv("RASA_API_TOKEN", TOKEN)
    stack = Stack()
    with pytest.raises(Exception, match="make train"):
        stack.start(Ports.free(), model=tmp_path / "absent.tar.gz", var_dir=tmp_path)
    assert stack.rasa_api_token == TOKEN


def test_the_health_check_sends_the_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    asked = []

    class Reply:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return b'{"model_file": "m.tar.gz"}'

    monkeypatch.setattr("urllib.request.urlopen", lambda url, timeout: asked.append(url) or Reply())
    assert _healthy(Service("rasa", [], 5005, "/status", tmp_path / "log"), TOKEN)
    assert asked == [f"http://127.0.0.1:5005/status?token={TOKEN}"]


def test_the_action_server_listens_on_loopback_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACTION_HOST", raising=False)
    monkeypatch.delenv("SANIC_HOST", raising=False)
    probe = ("import os, sys; import rasa.__main__ as m; m.main = lambda: print(os.environ['SANIC_HOST']); "
             "from bot.action_server import main; main()")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "127.0.0.1", result.stderr[-2000:]


def test_the_console_and_notifier_send_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.backend import notifier
    from bot.clients.rasa import get_rasa, set_rasa
    from bot.console import delivery, rasa_transcript

    calls: list[tuple[str, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path, _, query = self.path.partition("?")
            calls.append((path, dict(parse_qsl(query))))
            body = b'{"events": []}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer  # noqa: N815 - http.server naming

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("RASA_API_TOKEN", TOKEN)
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{server.server_address[1]}")
    set_rasa(None)  # the process-wide client is built from these settings
    try:
        assert delivery.hand_back("wx:open-1").delivered
        assert rasa_transcript.fetch("wx:open-1") == []
        notice = type("Notice", (), {"conversation_id": "web-1", "channel": "socketio", "tracking_number": "ZT1",
                                     "status": "delivered", "city": "上海", "description": "签收"})()
        assert notifier.deliver(notice, get_rasa()) is None
    finally:
        set_rasa(None)
        server.shutdown()
    assert len(calls) == len(delivery.RESUME_ACTIONS) + 2
    assert all(params.get("token") == TOKEN for _path, params in calls)
    # ":" unquoted: Rasa (Sanic) would read "wx%3Aopen-1" as another conversation
    assert calls[0] == ("/conversations/wx:open-1/execute", {"output_channel": "latest", "token": TOKEN})
    assert calls[-1] == ("/conversations/web-1/trigger_intent", {"output_channel": "socketio", "token": TOKEN})
