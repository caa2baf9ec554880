"""Issue 13 finding 7: another site's page cannot make a logged-in agent's browser change anything.

Every state-changing route under /console is taken from the app itself, so a route added later is covered
without editing this file. In-process backend app (SQLite), the agent's real session cookie.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute

from bot.console.origin_guard import origin_of
from tests.security.console_app import ORIGIN, PASSWORD, ConsoleApp, start_console_app

pytestmark = pytest.mark.security

SAFE = {"GET", "HEAD", "OPTIONS"}
FOREIGN = "https://evil.example"


@pytest.fixture
def console(tmp_path, monkeypatch) -> Iterator[ConsoleApp]:
    # Agents on duty around the clock, so the handoff below is queued whatever time the test runs.
    env = {"BACKEND_API_KEY": "csrf-test-key", "AGENT_HOURS_START": "00:00", "AGENT_HOURS_END": "00:00"}
    yield from start_console_app(tmp_path, monkeypatch, env)


def state_changing_routes(console: ConsoleApp) -> list[tuple[str, str]]:
    routes = []
    for route in console.app.routes:
        if isinstance(route, APIRoute) and route.path.startswith("/console"):
            # Path parameters get a plausible value: the guard must answer before any lookup.
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            routes += [(method, path) for method in sorted(route.methods - SAFE)]
    return routes


def logged_in(console: ConsoleApp) -> None:
    reply = console.login("li", PASSWORD, "10.0.0.5")
    assert reply.status_code == 200, reply.text
    assert "courier_console" in console.client.cookies


def test_the_app_has_the_state_changing_console_routes_we_expect(console) -> None:
    routes = state_changing_routes(console)
    for expected in (("POST", "/console/api/login"), ("POST", "/console/api/logout"),
                     ("POST", "/console/api/handoffs/1/accept"), ("POST", "/console/api/handoffs/1/messages"),
                     ("POST", "/console/api/handoffs/1/end"), ("POST", "/console/api/callbacks/1/done")):
        assert expected in routes


@pytest.mark.parametrize("headers", [{"Origin": FOREIGN}, {"Origin": "null"},
                                     {"Referer": FOREIGN + "/phish.html"},
                                     {"Origin": FOREIGN, "Referer": ORIGIN + "/console/"},
                                     {"Origin": "http://testserver.evil.example"}], ids=str)
def test_a_foreign_origin_with_the_agents_cookie_is_refused_on_every_state_changing_route(console, headers) -> None:
    logged_in(console)
    for method, path in state_changing_routes(console):
        reply = console.client.request(method, path, json={"text": "转账给我", "username": "li",
                                                           "password": PASSWORD}, headers=headers)
        assert reply.status_code == 403, (method, path, reply.status_code, reply.text)
        detail = reply.json()["detail"]
        assert detail["code"] == "cross_site_request" and detail["message"].startswith("抱歉"), detail
    # Nothing happened: the session is still open (logout was refused too).
    assert console.client.get("/console/api/me").status_code == 200


def test_a_request_naming_neither_origin_nor_referer_is_refused(console) -> None:
    logged_in(console)
    for method, path in state_changing_routes(console):
        reply = console.client.request(method, path, json={"text": "hi"})
        assert reply.status_code == 403, (method, path, reply.status_code)
        assert reply.json()["detail"]["code"] == "origin_missing"


def test_the_consoles_own_pages_work(console) -> None:
    logged_in(console)
    created = console.client.post("/api/v1/handoffs", headers={"X-API-Key": "csrf-test-key"},
                                  json={"conversation_id": "csrf-check-1", "channel": "rest",
                                        "reason": "asked_for_human"})
    assert created.status_code == 201, created.text
    handoff = created.json()["handoff_id"]
    accepted = console.client.post(f"/console/api/handoffs/{handoff}/accept", headers={"Origin": ORIGIN})
    assert accepted.status_code == 200, accepted.text
    # Without Origin, the same-origin Referer the console's pages send (Referrer-Policy same-origin) is enough.
    sent = console.client.post(f"/console/api/handoffs/{handoff}/messages", json={"text": "您好，我来帮您"},
                               headers={"Referer": ORIGIN + "/console/"})
    assert sent.status_code == 201, sent.text
    assert console.client.post("/console/api/logout", headers={"Origin": ORIGIN}).status_code == 200


def test_reading_is_not_affected(console) -> None:
    logged_in(console)
    assert console.client.get("/console/api/queue", headers={"Origin": FOREIGN}).status_code == 200


def test_a_configured_origin_is_accepted(tmp_path, monkeypatch) -> None:
    env = {"CONSOLE_ALLOWED_ORIGINS": "https://kefu.example.com, https://console.example.com:8443"}
    for console in start_console_app(tmp_path, monkeypatch, env):
        for origin in ("https://kefu.example.com", "https://console.example.com:8443", ORIGIN):
            assert console.login("li", PASSWORD, "10.0.0.5", Origin=origin).status_code == 200
        assert console.login("li", PASSWORD, "10.0.0.5", Origin="https://kefu.example.com:444").status_code == 403


def test_by_default_the_public_url_is_an_allowed_origin(tmp_path, monkeypatch) -> None:
    for console in start_console_app(tmp_path, monkeypatch, {"PUBLIC_BASE_URL": "https://Kefu.Example.com:443/"}):
        assert console.login("li", PASSWORD, "10.0.0.5", Origin="https://kefu.example.com").status_code == 200
        assert console.login("li", PASSWORD, "10.0.0.5", Origin="http://kefu.example.com").status_code == 403


def test_origins_are_compared_in_their_canonical_form() -> None:
    assert origin_of("HTTP://Example.COM:80/path?q") == "http://example.com"
    assert origin_of("https://[::1]:8443/x") == "https://[::1]:8443"
    for junk in (None, "", "null", "javascript:alert(1)", "https://", "http://host:99999", "x" * 3000):
        assert origin_of(junk) is None
