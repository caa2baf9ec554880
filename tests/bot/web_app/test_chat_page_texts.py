"""The chat page's own words (bot/web/texts.json) in both scripts, and every word the page asks for exists."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.vocabulary.script import detect_script, to_traditional
from bot.web_app import chat_page

WEB = chat_page.WEB_DIR


def used_keys() -> set[str]:
    html = (WEB / "index.html").read_text(encoding="utf-8")
    script = (WEB / "app.js").read_text(encoding="utf-8")
    keys = set(re.findall(r'data-text-(?:content|placeholder|title|label)="(\w+)"', html))
    chips = re.findall(r'data-chip="(\w+)"', html)
    keys |= set(chips) | {chip + "Text" for chip in chips}
    keys |= set(re.findall(r'\bt\("(\w+)"', script))
    keys |= set(re.findall(r'setStatus\("\w+", "(\w+)"', script))
    keys |= set(re.findall(r'textKey: "(\w+)"', script))
    return keys


def test_every_word_the_page_uses_is_in_texts_json() -> None:
    texts = chat_page.chat_texts()["simplified"]
    assert used_keys() and not used_keys() - set(texts), used_keys() - set(texts)


def test_the_traditional_sets_are_the_opencc_forms_and_read_traditional() -> None:
    texts = chat_page.chat_texts()
    assert set(texts) == {"simplified", "tw", "hk"}
    for variant in ("tw", "hk"):
        assert texts[variant].keys() == texts["simplified"].keys()
        for key, simplified in texts["simplified"].items():
            assert texts[variant][key] == to_traditional(simplified, variant)
    assert detect_script("".join(texts["tw"].values())) == "traditional"
    assert texts["tw"]["title"] == "快遞在線客服" and texts["tw"]["chipQuote"] == "寄件報價"


def test_the_chips_send_what_the_page_shows_in_the_html_defaults() -> None:
    # The HTML's Simplified defaults (before app.js runs) are the texts' Simplified words.
    html = (WEB / "index.html").read_text(encoding="utf-8")
    texts = chat_page.chat_texts()["simplified"]
    for key, sent, shown in re.findall(r'data-chip="(\w+)" data-text="([^"]+)">([^<]+)<', html):
        assert (texts[key], texts[key + "Text"]) == (shown, sent)


def test_texts_js_is_served_as_a_script_that_cannot_close_its_element() -> None:
    app = FastAPI()
    chat_page.install(app)
    reply = TestClient(app).get("/chat/texts.js")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("application/javascript")
    body = reply.text
    assert body.startswith("window.COURIER_CHAT_TEXTS = ") and "<" not in body
    served = json.loads(body[len("window.COURIER_CHAT_TEXTS = "):].rstrip().rstrip(";"))
    assert served == chat_page.chat_texts()
