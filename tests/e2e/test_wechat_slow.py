"""WeChat's 5-second path end to end: replies that miss the passive window arrive through the API.

The shared stack answers within WeChat's window; here a stack of its own runs with the passive timeout
at zero, so every assistant reply is "late": the channel must answer "success" at once and deliver the
reply through the customer-service API (a local fake of WeChat's servers), once, even when WeChat retries.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from bot.settings import get_settings
from bot.stack import DEFAULT_MODEL, Ports, Stack, StackError
from tests.wechat_fake_api import FakeWeChatApi
from tests.wechat_side import WeChatServer, new_openid, text_xml

TOKEN = "e2e-slow-token"
APP_ID = "wxe2eslow0000001"
APP_SECRET = "e2e-slow-secret"
AES_KEY = base64.b64encode(b"courier-e2e-slow-path-aes-key-32").decode()[:-1]
MODEL = Path(os.environ.get("COURIER_E2E_MODEL") or DEFAULT_MODEL)
RASA_API_TOKEN = "e2e-slow-rasa-api-token"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def slow_wechat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WeChatServer, str]]:
    api = FakeWeChatApi(APP_ID, APP_SECRET).start()
    env = {
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_ENCODING_AES_KEY": AES_KEY,
        "WECHAT_MESSAGE_MODE": "safe",
        "WECHAT_API_BASE": api.base_url,
        "WECHAT_PASSIVE_TIMEOUT_S": "0",
        "RASA_API_TOKEN": RASA_API_TOKEN,
    }
    stack = Stack()
    try:
        stack.start(Ports.free(), env=env, model=MODEL, var_dir=tmp_path_factory.mktemp("wechat-slow-var"))
    except StackError as error:
        api.stop()
        pytest.fail(f"The stack did not start: {error}", pytrace=False)
    try:
        yield WeChatServer(stack.rasa_url, api, TOKEN, AES_KEY, APP_ID), stack.rasa_url
    finally:
        stack.stop()
        api.stop()


def _user_texts(rasa_url: str, sender_id: str) -> list[str]:
    reply = requests.get(f"{rasa_url}/conversations/{sender_id}/tracker", params={"token": RASA_API_TOKEN}, timeout=30)
    reply.raise_for_status()
    return [e["text"] for e in reply.json().get("events", []) if e.get("event") == "user"]


def test_late_reply_answers_success_then_arrives_through_the_api(slow_wechat):
    wechat, rasa_url = slow_wechat
    openid = new_openid()
    started = time.monotonic()
    response = wechat.post(text_xml(openid, "你好", wechat.next_msg_id()), aes=True, openid=openid)
    assert time.monotonic() - started < 2.0
    assert response.status_code == 200 and response.text == "success"
    texts = wechat.api.wait_for_texts(openid, 1, timeout=60)
    assert texts and texts[0].strip()
    assert wechat.api.token_requests == 1  # the token is cached for the next sends
    wechat.converse(openid, text_xml(openid, "谢谢", wechat.next_msg_id()), aes=True)
    assert wechat.api.token_requests == 1
    assert _user_texts(rasa_url, f"wx:{openid}") == ["你好", "谢谢"]


def test_retries_during_a_late_reply_are_answered_once(slow_wechat):
    wechat, rasa_url = slow_wechat
    openid = new_openid()
    body = text_xml(openid, "我要查件", wechat.next_msg_id())
    with ThreadPoolExecutor(max_workers=3) as pool:
        responses = list(pool.map(lambda _: wechat.post(body, aes=True, openid=openid), range(3)))
    assert [r.text for r in responses] == ["success"] * 3
    first = wechat.api.wait_for_texts(openid, 1, timeout=60)
    retry = wechat.post(body, aes=True, openid=openid)
    assert retry.text == "success"
    time.sleep(2.0)
    assert wechat.api.texts_to(openid) == first  # delivered once, not once per retry
    assert _user_texts(rasa_url, f"wx:{openid}") == ["我要查件"]


def test_agent_or_notice_push_reaches_the_customer(slow_wechat):
    wechat, rasa_url = slow_wechat
    openid = new_openid()
    wechat.converse(openid, text_xml(openid, "請問有人工客服嗎", wechat.next_msg_id()), aes=True)
    before = len(wechat.api.texts_to(openid))
    reply = requests.post(
        f"{rasa_url}/webhooks/wechat/push",
        json={"sender_id": f"wx:{openid}", "text": "您的快件已经安排优先派送。", "author": {"role": "agent", "name": "小王"}},
        headers={"X-API-Key": get_settings().backend_api_key},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    texts = wechat.api.wait_for_texts(openid, before + 1, timeout=10)
    # The customer wrote Traditional, so the agent's words arrive in Traditional too.
    assert texts[-1] == "【人工客服小王】您的快件已經安排優先派送。"
    refused = requests.post(f"{rasa_url}/webhooks/wechat/push", json={"sender_id": "wx:x", "text": "hi"}, timeout=10)
    assert refused.status_code == 401
