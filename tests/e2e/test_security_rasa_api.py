"""Issue 13, finding 2 against the real stack: Rasa's HTTP API refuses anyone without the token, CORS answers
only the configured origins, the action server and the backend listen on loopback only.

Before: `--enable-api` with no token and `--cors *` (any Origin echoed, with credentials): anyone could read a
verified customer's tracker, inject events or unload the model.
"""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

pytestmark = [pytest.mark.e2e, pytest.mark.security]

EVIL = "http://evil.example"
# (method, path, JSON body): every route of Rasa's API that is not a channel webhook
API_CALLS = [
    ("GET", "/", None),
    ("GET", "/version", None),
    ("GET", "/status", None),
    ("GET", "/domain", None),
    ("GET", "/conversations/sec-victim/tracker", None),
    ("GET", "/conversations/sec-victim/story", None),
    ("POST", "/conversations/sec-victim/tracker/events", {"event": "slot", "name": "phone", "value": "x"}),
    ("PUT", "/conversations/sec-victim/tracker/events", [{"event": "restart"}]),
    ("POST", "/conversations/sec-victim/trigger_intent", {"name": "greet"}),
    ("POST", "/conversations/sec-victim/messages", {"text": "在吗", "sender": "user"}),
    ("POST", "/conversations/sec-victim/execute", {"name": "utter_greet"}),
    ("POST", "/conversations/sec-victim/predict", None),
    ("POST", "/model/parse", {"text": "查件 ZT100000000001"}),
    ("POST", "/model/predict", None),
    ("POST", "/model/train", None),
    ("POST", "/model/test/intents", None),
    ("POST", "/model/test/stories", None),
    ("PUT", "/model", {"model_file": "/tmp/none.tar.gz"}),
    ("DELETE", "/model", None),
]


def _call(stack, method: str, path: str, body, params=None, headers=None) -> requests.Response:
    return requests.request(method, f"{stack.rasa_url}{path}", json=body, params=params, headers=headers,
                            timeout=30)


@pytest.mark.parametrize(("method", "path", "body"), API_CALLS, ids=[f"{m} {p}" for m, p, _ in API_CALLS])
def test_anonymous_and_wrong_token_calls_are_refused(stack, method: str, path: str, body) -> None:
    for params in (None, {"token": ""}, {"token": "guess"}, {"token": stack.rasa_auth["token"][:-1]}):
        reply = _call(stack, method, path, body, params=params)
        assert reply.status_code in (401, 403), f"{method} {path} {params}: {reply.status_code} {reply.text[:200]}"
        assert reply.json()["reason"] in ("NotAuthenticated", "NotAuthorized")


def test_the_assistant_still_answers_after_the_attack(stack) -> None:
    for method, path, body in API_CALLS:
        _call(stack, method, path, body)
    replies = stack.rest_turn("sec-after-attack", "查件 ZT100000000001")
    assert replies and any(reply.get("text") for reply in replies)
    status = requests.get(f"{stack.rasa_url}/status", params=stack.rasa_auth, timeout=30)
    assert status.status_code == 200 and status.json()["model_file"]


def test_with_the_token_the_api_works(stack) -> None:
    stack.rest_turn("sec-owner", "在吗")
    tracker = requests.get(f"{stack.rasa_url}/conversations/sec-owner/tracker", params=stack.rasa_auth, timeout=30)
    assert tracker.status_code == 200
    assert any(event.get("text") == "在吗" for event in tracker.json()["events"])
    assert stack.parse("查件 ZT100000000001")["intent"]["name"]
    assert requests.get(f"{stack.rasa_url}/version", params=stack.rasa_auth, timeout=30).status_code == 200


def test_channel_webhooks_stay_public(stack) -> None:
    assert requests.get(f"{stack.rasa_url}/webhooks/rest/", timeout=30).status_code == 200
    assert stack.rest_turn("sec-public", "在吗")
    handshake = requests.get(f"{stack.rasa_url}/socket.io/", params={"EIO": "4", "transport": "polling"}, timeout=30)
    assert handshake.status_code == 200 and '"sid"' in handshake.text


def _page_origin(stack) -> str:
    parts = urlsplit(stack.backend_url)
    return f"{parts.scheme}://{parts.netloc}"


def test_a_foreign_origin_gets_no_cors_answer(stack) -> None:
    for method, path in (("POST", "/webhooks/rest/webhook"), ("OPTIONS", "/webhooks/rest/webhook"),
                         ("GET", "/status")):
        headers = {"Origin": EVIL, "Access-Control-Request-Method": "POST"}
        reply = requests.request(method, f"{stack.rasa_url}{path}", headers=headers,
                                 json={"sender": "sec-cors", "message": "在吗"} if method == "POST" else None,
                                 params=stack.rasa_auth if path == "/status" else None, timeout=30)
        assert "Access-Control-Allow-Origin" not in reply.headers, f"{method} {path}: {reply.headers}"


def test_the_chat_pages_origin_gets_one_cors_answer(stack) -> None:
    origin = _page_origin(stack)
    reply = requests.options(f"{stack.rasa_url}/webhooks/rest/webhook",
                             headers={"Origin": origin, "Access-Control-Request-Method": "POST"}, timeout=30)
    assert reply.headers.get("Access-Control-Allow-Origin") == origin
    handshake = requests.get(f"{stack.rasa_url}/socket.io/", params={"EIO": "4", "transport": "polling"},
                             headers={"Origin": origin}, timeout=30)
    assert handshake.status_code == 200
    # Two Access-Control-Allow-Origin headers (engine.io's and Rasa's) make a browser refuse the answer.
    assert handshake.raw.headers.getlist("Access-Control-Allow-Origin") == [origin]


def test_a_socketio_handshake_from_a_foreign_page_is_refused(stack) -> None:
    # A websocket is not covered by the browser's CORS: only the server's Origin check stops a foreign page.
    handshake = requests.get(f"{stack.rasa_url}/socket.io/", params={"EIO": "4", "transport": "polling"},
                             headers={"Origin": EVIL}, timeout=30)
    assert handshake.status_code == 400
    assert "Access-Control-Allow-Origin" not in handshake.headers


def test_the_token_is_neither_logged_nor_on_a_command_line(stack) -> None:
    token = stack.rasa_auth["token"]
    stack.parse("在吗")
    for name in ("rasa", "backend", "actions"):
        assert token not in (stack.var_dir / "logs" / f"{name}.log").read_text(errors="replace"), name
    for service in stack.stack.services:
        command_line = Path(f"/proc/{service.process.pid}/cmdline").read_bytes().decode(errors="replace")
        assert token not in command_line, service.name


def _listening_addresses(port: int) -> set[str]:
    """Local addresses listening on `port` (Linux /proc/net/tcp, tcp6), as hex like 0100007F."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add(address)
    return found


def test_internal_services_listen_on_loopback_only(stack) -> None:
    loopback = socket.inet_aton("127.0.0.1")[::-1].hex().upper()  # 0100007F, as /proc/net/tcp writes it
    for name, port in (("actions", stack.stack.ports.actions), ("backend", stack.stack.ports.backend),
                       ("rasa", stack.stack.ports.rasa)):
        assert _listening_addresses(port) == {loopback}, name
