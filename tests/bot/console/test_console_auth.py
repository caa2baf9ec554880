"""Nothing of the console answers without a login; passwords hashed; the session cookie is HttpOnly/Lax."""

from __future__ import annotations

import requests

from bot.console.passwords import hash_password, verify_password
from tests.bot.console.conftest import PASSWORD, create_agent, login

API_ROUTES = [
    ("GET", "/console/api/me"), ("GET", "/console/api/queue"), ("GET", "/console/api/kpi"),
    ("GET", "/console/api/handoffs/1"), ("GET", "/console/api/handoffs/1/messages"),
    ("GET", "/console/api/handoffs/1/context"), ("POST", "/console/api/handoffs/1/accept"),
    ("POST", "/console/api/handoffs/1/messages"), ("POST", "/console/api/handoffs/1/end"),
    ("POST", "/console/api/handoffs/1/complaints"), ("POST", "/console/api/handoffs/1/claims"),
    ("GET", "/console/api/parcels/ZT100000000001"), ("GET", "/console/api/callbacks"),
    ("POST", "/console/api/callbacks/1/done"), ("GET", "/console/api/stream"),
]


def test_every_console_api_route_refuses_without_a_session(desk_backend) -> None:
    for method, path in API_ROUTES:
        for cookies in ({}, {"courier_console": "forged-token"}):
            reply = requests.request(method, desk_backend.base_url + path, json={"text": "hi"}, cookies=cookies,
                                     headers={"Origin": desk_backend.base_url}, timeout=15)
            assert reply.status_code == 401, (method, path, reply.status_code)
            assert reply.json()["detail"]["code"] == "login_required"


def test_pages_redirect_to_login_and_scripts_are_not_served_without_a_session(desk_backend) -> None:
    for path in ("/console/", "/console/kpi"):
        reply = requests.get(desk_backend.base_url + path, allow_redirects=False, timeout=15)
        assert reply.status_code == 303 and reply.headers["location"] == "/console/login"
    for name in ("console.js", "kpi.js", "common.js"):
        assert requests.get(f"{desk_backend.base_url}/console/static/{name}", timeout=15).status_code == 401
    login_page = requests.get(desk_backend.base_url + "/console/login", timeout=15)
    assert login_page.status_code == 200 and "script-src 'self'" in login_page.headers["content-security-policy"]
    assert requests.get(desk_backend.base_url + "/console/static/login.js", timeout=15).status_code == 200


def test_the_service_api_needs_the_api_key(desk_backend) -> None:
    reply = requests.post(f"{desk_backend.base_url}/api/v1/handoffs", timeout=15,
                          json={"conversation_id": "x-123456", "reason": "asked_for_human"})
    assert reply.status_code == 401


def test_login_sets_a_safe_cookie_and_logout_ends_the_session(desk_backend) -> None:
    agent = login(desk_backend, "li")
    cookie = next(c for c in agent.cookies if c.name == "courier_console")
    assert cookie.path == "/console" and cookie.has_nonstandard_attr("HttpOnly")
    raw = requests.post(f"{desk_backend.base_url}/console/api/login", json={"username": "li", "password": PASSWORD},
                        headers={"Origin": desk_backend.base_url}, timeout=15).headers["set-cookie"]
    assert "HttpOnly" in raw and "samesite=lax" in raw.lower()
    assert agent.get(f"{desk_backend.base_url}/console/api/me", timeout=15).json()["team"] == "general"
    token = cookie.value
    assert agent.post(f"{desk_backend.base_url}/console/api/logout", timeout=15).status_code == 200
    replay = requests.get(f"{desk_backend.base_url}/console/api/me", cookies={"courier_console": token}, timeout=15)
    assert replay.status_code == 401


def test_wrong_passwords_and_unknown_agents_are_refused_alike(desk_backend) -> None:
    for username, password in (("li", "wrong-password"), ("nobody", PASSWORD)):
        reply = requests.post(f"{desk_backend.base_url}/console/api/login", timeout=15,
                              headers={"Origin": desk_backend.base_url}, json={"username": username, "password": password})
        assert reply.status_code == 401 and reply.json()["detail"]["code"] == "bad_credentials"


def test_the_demo_agent_exists_after_start_up(desk_backend) -> None:
    assert login(desk_backend, "agent").get(f"{desk_backend.base_url}/console/api/me", timeout=15).ok


def test_the_cli_refuses_duplicates_unknown_teams_and_short_passwords(desk_backend) -> None:
    assert create_agent(desk_backend, "li", "general", "李娜").returncode == 1
    result = create_agent(desk_backend, "wu", "sales", "吴")
    assert result.returncode == 1 and "没有这个团队" in result.stderr


def test_passwords_are_salted_scrypt_hashes() -> None:
    first, second = hash_password("kefu-123456"), hash_password("kefu-123456")
    assert first != second and "kefu-123456" not in first and first.startswith("scrypt$")
    assert verify_password("kefu-123456", first) and not verify_password("kefu-123457", first)
    assert not verify_password("kefu-123456", "garbage")
