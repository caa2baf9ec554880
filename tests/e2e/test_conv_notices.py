"""Parcel notices end to end: a customer subscribes in the chat, operations move the parcel, the notice arrives.

Real backend (its notifier calls Rasa's trigger-intent API), real action server and Rasa. A stack of its own
runs here because WeChat's account settings must be in its environment (see test_wechat_slow.py); WeChat's side
is played by wechatpy and a local fake of WeChat's customer-service API.
"""

from __future__ import annotations

import base64
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

from bot.settings import get_settings
from bot.stack import DEFAULT_MODEL, Ports, Stack, StackError
from bot.vocabulary.script import detect_script, to_simplified
from tests.wechat_fake_api import FakeWeChatApi
from tests.wechat_side import WeChatServer, new_openid, text_xml

TOKEN = "e2e-notices-token"
APP_ID = "wxe2enotices0001"
APP_SECRET = "e2e-notices-secret"
AES_KEY = base64.b64encode(b"courier-e2e-notices-aes-key-32b!").decode()[:-1]
MODEL = Path(os.environ.get("COURIER_E2E_MODEL") or DEFAULT_MODEL)
HEADERS = {"X-API-Key": get_settings().backend_api_key}
CHROMIUM = Path("/usr/bin/chromium")
REPLY_TIMEOUT_MS = 30_000

pytestmark = pytest.mark.e2e


@dataclass
class NoticeStack:
    stack: Stack
    wechat: WeChatServer

    def rest_turn(self, sender: str, text: str) -> str:
        reply = requests.post(f"{self.stack.rasa_url}/webhooks/rest/webhook",
                              json={"sender": sender, "message": text}, timeout=60)
        reply.raise_for_status()
        return "\n".join(m.get("text") or "" for m in reply.json())

    def parcel_before_a_key_node(self, taken: set[str]) -> str:
        """A cycling demo parcel in transit or at a hub: one or two advances bring it out for delivery."""
        for n in range(100, 420):
            number = f"ZT100000000{n:03d}"
            if number in taken:
                continue
            parcel = requests.get(f"{self.stack.backend_url}/api/v1/parcels/{number}", headers=HEADERS,
                                  timeout=10).json()
            if parcel["status"] in {"in_transit", "at_hub"}:
                taken.add(number)
                return number
        raise AssertionError("no cycling demo parcel in transit")

    def advance_until_notice(self, number: str) -> dict:
        for _ in range(3):
            reply = requests.post(f"{self.stack.backend_url}/api/v1/parcels/{number}/advance", headers=HEADERS,
                                  timeout=10)
            assert reply.status_code == 201, reply.text
            if reply.json()["notices_queued"]:
                return reply.json()
        raise AssertionError(f"{number} reached no key node")

    def wait_delivered(self, number: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        items: list[dict] = []
        while time.monotonic() < deadline:
            items = requests.get(f"{self.stack.backend_url}/api/v1/notices", params={"tracking_number": number},
                                 headers=HEADERS, timeout=10).json()["items"]
            if items and items[0]["state"] == "delivered":
                return items[0]
            time.sleep(0.5)
        raise AssertionError(f"notice for {number} not delivered: {items}\n{log_tail(self.stack, 'backend')}")


def bot_said_after_notice(stack: Stack, sender: str) -> list[str]:
    """What the bot answered the last triggered notice in the conversation (Rasa's tracker)."""
    events = requests.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.rasa_api_token},
                          timeout=30).json()["events"]
    triggered = [i for i, e in enumerate(events) if e.get("event") == "user"
                 and (e.get("parse_data") or {}).get("intent", {}).get("name") == "EXTERNAL_parcel_update"]
    if not triggered:
        return []
    return [e.get("text") or "" for e in events[triggered[-1]:] if e.get("event") == "bot"]


def log_tail(stack: Stack, name: str) -> str:
    path = Path(stack.var_dir or ".") / "logs" / f"{name}.log"
    return path.read_text(encoding="utf-8", errors="replace")[-3000:] if path.is_file() else "(no log)"


@pytest.fixture(scope="module")
def notices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NoticeStack]:
    api = FakeWeChatApi(APP_ID, APP_SECRET).start()
    env = {
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_ENCODING_AES_KEY": AES_KEY,
        "WECHAT_MESSAGE_MODE": "compatible",
        "WECHAT_API_BASE": api.base_url,
    }
    stack = Stack()
    try:
        stack.start(Ports.free(), env=env, model=MODEL, var_dir=tmp_path_factory.mktemp("notices-var"))
    except StackError as error:
        api.stop()
        pytest.fail(f"The stack did not start: {error}", pytrace=False)
    try:
        yield NoticeStack(stack, WeChatServer(stack.rasa_url, api, TOKEN, AES_KEY, APP_ID))
    finally:
        stack.stop()
        api.stop()


TAKEN: set[str] = set()


def test_rest_customer_subscribes_after_tracking_and_the_notice_lands_in_the_chat(notices: NoticeStack) -> None:
    number = notices.parcel_before_a_key_node(TAKEN)
    sender = f"notices-rest-{uuid.uuid4().hex[:8]}"
    answer = notices.rest_turn(sender, f"帮我查一下 {number}")
    assert number in answer, answer
    confirmation = notices.rest_turn(sender, "有变化通知我")
    assert "已为您订阅" in confirmation and number in confirmation, confirmation

    moved = notices.advance_until_notice(number)
    notice = notices.wait_delivered(number)
    assert notice["conversation_id"] == sender and notice["channel"] == "rest"

    # REST has no push path: the notice is the bot's answer to the triggered intent in the conversation.
    said = bot_said_after_notice(notices.stack, sender)
    city = moved["event"]["city"]
    assert any(f"您订阅的快递 {number} 有新动态：派送中（{city}）" in t for t in said), said


def test_asked_for_the_number_then_subscribed(notices: NoticeStack) -> None:
    number = notices.parcel_before_a_key_node(TAKEN)
    sender = f"notices-ask-{uuid.uuid4().hex[:8]}"
    asked = notices.rest_turn(sender, "到了提醒我")
    assert "单号" in asked and "已为您订阅" not in asked, asked
    confirmation = notices.rest_turn(sender, number)
    assert "已为您订阅" in confirmation and number in confirmation, confirmation


def test_wechat_traditional_customer_gets_the_notice_in_traditional(notices: NoticeStack) -> None:
    wechat = notices.wechat
    number = notices.parcel_before_a_key_node(TAKEN)
    openid = new_openid()
    answer = wechat.converse(openid, text_xml(openid, f"幫我查一下 {number} 到哪裡了", wechat.next_msg_id()))
    assert number in answer, answer
    confirmation = wechat.converse(openid, text_xml(openid, "有變化通知我", wechat.next_msg_id()))
    assert "已為您訂閱" in confirmation and number in confirmation, confirmation

    before = len(wechat.api.texts_to(openid))
    moved = notices.advance_until_notice(number)
    notice = notices.wait_delivered(number)
    assert notice["conversation_id"] == f"wx:{openid}" and notice["channel"] == "wechat"
    texts = wechat.api.wait_for_texts(openid, before + 1, timeout=30)[before:]
    assert texts, ("the notice did not reach WeChat's customer-service API: "
                   f"{bot_said_after_notice(notices.stack, f'wx:{openid}')}\n{log_tail(notices.stack, 'rasa')}")
    pushed = "\n".join(texts)
    assert detect_script(pushed) == "traditional", pushed
    assert number in pushed and moved["event"]["city"] in to_simplified(pushed), pushed
    assert "新動態" in pushed and "派送中" in pushed, pushed


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is not installed: run `make browser`.", pytrace=False)
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 420, "height": 820}, locale="zh-CN")
        yield context.new_page()
        browser.close()


def _bot_texts(page: Page) -> list[str]:
    return [row.inner_text() for row in page.locator(".row-bot .text").all()]


def _say(page: Page, text: str) -> str:
    before = page.locator(".row-bot .text").count()
    page.fill("#input", text)
    page.keyboard.press("Enter")
    page.locator(".row-bot .text").nth(before).wait_for(timeout=REPLY_TIMEOUT_MS)
    time.sleep(1.0)  # a reply can be several messages
    return "\n".join(_bot_texts(page)[before:])


def test_web_chat_customer_sees_the_notice_arrive_in_the_page(notices: NoticeStack, page: Page) -> None:
    number = notices.parcel_before_a_key_node(TAKEN)
    page.goto(f"{notices.stack.backend_url}/chat/")
    page.locator("body[data-session]").wait_for(timeout=REPLY_TIMEOUT_MS)
    session_id = page.locator("body").get_attribute("data-session")
    assert number in _say(page, f"查一下 {number}")
    confirmation = _say(page, "有变化通知我")
    assert "已为您订阅" in confirmation and number in confirmation, confirmation

    before = page.locator(".row-bot .text").count()
    moved = notices.advance_until_notice(number)
    notice = notices.wait_delivered(number)
    assert notice["conversation_id"] == session_id and notice["channel"] == "socketio"
    page.locator(".row-bot .text").nth(before).wait_for(timeout=REPLY_TIMEOUT_MS)
    pushed = "\n".join(_bot_texts(page)[before:])
    assert f"您订阅的快递 {number} 有新动态：派送中（{moved['event']['city']}）" in pushed, pushed
