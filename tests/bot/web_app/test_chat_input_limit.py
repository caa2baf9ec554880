"""The chat page's input box takes as many characters as the server reads (MAX_MESSAGE_CHARS), no more: one
setting moves both, so the page never cuts shorter than the server nor lets through what the server would cut."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.settings import get_settings
from bot.web_app import chat_page

PREFIX = "window.COURIER_CHAT_CONFIG = "


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def served_config() -> dict[str, object]:
    app = FastAPI()
    chat_page.install(app)
    reply = TestClient(app).get("/chat/config.js")
    assert reply.status_code == 200
    return json.loads(reply.text[len(PREFIX):].rstrip().rstrip(";"))


@pytest.mark.parametrize("limit", [321, 4000])
def test_the_page_is_told_the_servers_bound(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    monkeypatch.setenv("MAX_MESSAGE_CHARS", str(limit))
    assert served_config()["maxMessageChars"] == limit


def test_the_default_is_the_servers_default() -> None:
    assert served_config()["maxMessageChars"] == get_settings().max_message_chars == 1000


def test_the_page_has_no_limit_of_its_own_and_applies_the_served_one() -> None:
    html = (chat_page.WEB_DIR / "index.html").read_text(encoding="utf-8")
    textarea = re.search(r'<textarea id="input"[^>]*>', html, re.S)
    assert textarea and "maxlength" not in textarea.group(0).lower()
    script = (chat_page.WEB_DIR / "app.js").read_text(encoding="utf-8")
    assert re.search(r"input\.maxLength = Number\(maxMessageChars\)", script)
    assert "COURIER_CHAT_CONFIG || {}).maxMessageChars" in script
