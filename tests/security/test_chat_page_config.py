"""The web chat page learns Rasa's address from the server, never from its own URL (issue 13): a link with
`?rasa=<a stranger's server>` must not send the customer's session to that server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.settings import ROOT, get_settings
from bot.web_app.chat_page import chat_config

pytestmark = pytest.mark.security

APP_JS = ROOT / "bot" / "web" / "app.js"


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_page_never_reads_rasas_address_from_its_own_url() -> None:
    script = APP_JS.read_text(encoding="utf-8")
    assert "location.search" not in script and "URLSearchParams" not in script
    assert "COURIER_CHAT_CONFIG" in script


def test_the_page_loads_the_servers_config_before_its_script() -> None:
    page = (ROOT / "bot" / "web" / "index.html").read_text(encoding="utf-8")
    assert page.index('src="config.js"') < page.index('src="app.js"')


def test_the_config_names_the_configured_public_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_RASA_URL", "https://chat.example.com/rasa/")
    monkeypatch.setenv("RASA_PORT", "5105")
    assert chat_config()["rasaUrl"] == "https://chat.example.com/rasa" and chat_config()["rasaPort"] == 5105


def test_the_config_script_is_served_as_javascript_and_cannot_break_out(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path) -> None:
    monkeypatch.setenv("COURIER_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'courier.db'}")
    monkeypatch.setenv("BACKEND_SEED_ON_START", "0")
    monkeypatch.setenv("CHAT_RASA_URL", "https://x.example/</script><script>alert(1)</script>")
    from bot.web_app import create_app

    with TestClient(create_app()) as client:
        reply = client.get("/chat/config.js")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("application/javascript")
    assert reply.headers["cache-control"] == "no-store"
    assert "<" not in reply.text
    prefix = "window.COURIER_CHAT_CONFIG = "
    assert reply.text.startswith(prefix)
    assert json.loads(reply.text[len(prefix):].rstrip().rstrip(";"))["rasaUrl"].endswith("alert(1)</script>")
