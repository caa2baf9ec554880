"""Issue 13 (finding 6): what the hostile corpus on every channel found (tests/e2e/test_security_hostile_corpus.py).

- A lone surrogate in a WeChat push's text, recipient or agent name (JSON lets a caller send "\\ud800")
  reached the UTF-8 encoder of the customer-service API call and the route answered 502. Both push routes
  now clean the text like a customer's message and refuse a recipient no conversation could have.
- An X-API-Key header that is not UTF-8 (push routes) and a non-ASCII WeChat signature answered 500.
- A socket.io `user_uttered` with extra arguments raised in the handler: the customer heard nothing.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel

from bot.channels import handoff_gate
from bot.channels.kv import MemoryStore
from bot.channels.push_request import clean_push_text, read_push_request, recipient_problem
from bot.channels.script_output import ScriptMemory, wrap_output
from bot.channels.socketio import SocketIOInput, push_problem
from bot.channels.wechat.channel import WeChatInput
from bot.channels.wechat.config import WeChatConfig
from bot.channels.wechat.signature import is_valid, sign
from bot.settings import get_settings
from tests.wechat_fake_api import FakeWeChatApi

pytestmark = pytest.mark.security

APP_ID = "wxpush0000000001"
SECRET = "push-secret"


def push_request(body: dict) -> SimpleNamespace:
    # json.dumps writes a lone surrogate as the escape \\ud800, as a hostile caller would.
    return SimpleNamespace(headers={"X-API-Key": get_settings().backend_api_key}, body=json.dumps(body).encode())


@pytest.fixture()
def fake_api():
    api = FakeWeChatApi(APP_ID, SECRET).start()
    yield api
    api.stop()


def wechat_channel(api: FakeWeChatApi) -> WeChatInput:
    config = WeChatConfig(token="push-token", app_id=APP_ID, app_secret=SECRET,
                          encoding_aes_key=base64.b64encode(os.urandom(32)).decode()[:-1], message_mode="plain",
                          api_base=api.base_url, passive_timeout_s=1.0, dedupe_ttl_s=60)
    return WeChatInput(config, memory=ScriptMemory(MemoryStore()))


def test_push_text_is_cleaned_like_a_customer_message() -> None:
    assert clean_push_text(" 您的快递\ud800已到达\x00\x1b\u202e ") == "您的快递已到达"
    assert clean_push_text("\ud800\udfff\x01 \u200b") == ""


@pytest.mark.parametrize(
    ("recipient", "words"),
    [(None, "required"), ("", "required"), (42, "required"), (["wx:o1"], "required"), ("s" * 129, "longer than"),
     ("\ud800" * 10, "printable"), ("wx:o1\x00", "printable"), (" wx:o1", "printable")],
)
def test_recipients_no_conversation_could_have_are_refused(recipient, words: str) -> None:
    assert words in recipient_problem(recipient, "sender_id")


@pytest.mark.parametrize(
    "body",
    [{"sender_id": "wx:o1", "text": "您的快递\ud800已到达\udfff"},
     {"sender_id": "wx:o1", "text": "您的快递已到达", "author": {"role": "agent", "name": "李\ud800娜"}}],
    ids=["surrogates-in-text", "surrogate-in-agent-name"],
)
def test_wechat_push_with_surrogates_is_delivered_clean_not_a_502(fake_api, body: dict) -> None:
    response = asyncio.run(wechat_channel(fake_api).handle_push(push_request(body)))
    assert response.status == 200, response.body
    [sent] = fake_api.texts_to("o1")
    assert "您的快递已到达" in sent and "\ud800" not in sent


@pytest.mark.parametrize(
    ("body", "words"),
    [({"sender_id": "\ud800" * 10, "text": "您好"}, "printable"),
     ({"sender_id": "wx:o1", "text": "\ud800\x01"}, "text is required"),
     ([1, 2], "JSON object"), (None, "JSON object")],
)
def test_wechat_push_that_cannot_be_delivered_gets_a_400(fake_api, body, words: str) -> None:
    response = asyncio.run(wechat_channel(fake_api).handle_push(push_request(body)))
    assert response.status == 400 and words in json.loads(response.body)["error"]


class _CollectingSocketIO(SocketIOInput):
    def __init__(self) -> None:
        super().__init__(session_persistence=True)
        self.collector = CollectingOutputChannel()

    def make_output_channel(self, metadata=None):
        return wrap_output(self.collector, ScriptMemory(MemoryStore()))

    def online(self, room: str) -> int:
        return 0


def test_socketio_push_with_surrogates_is_delivered_clean() -> None:
    channel = _CollectingSocketIO()
    body = {"session_id": "0123456789abcdef", "text": "您的快递\ud800已到达\x00"}
    response = asyncio.run(channel.handle_push(push_request(body)))
    assert response.status == 200, response.body
    assert [message["text"] for message in channel.collector.messages] == ["您的快递已到达"]


@pytest.mark.parametrize(
    ("body", "words"),
    [({"session_id": "\ud800" * 10, "text": "您好"}, "printable"),
     ({"session_id": "0123456789abcdef", "text": "\ud800\u200b"}, "text is required"),
     ({"session_id": "0123456789abcdef", "text": 42}, "text is required")],
)
def test_socketio_push_that_cannot_be_delivered_is_explained(body: dict, words: str) -> None:
    assert words in push_problem(body)


# --- found by the same run: a header or query parameter that is not ASCII, extra socket.io arguments ------

@pytest.mark.parametrize("key", ["\udcff" * 64, "\u00ff" * 64, "\ud800"], ids=["not-utf8-bytes", "latin1", "surrogate"])
def test_an_api_key_that_is_not_ascii_is_a_401_not_a_500(key: str) -> None:
    # Sanic decodes header bytes that are not UTF-8 as surrogate escapes ("\udcff"); encoding them raised.
    request = SimpleNamespace(headers={"X-API-Key": key}, body=b'{"text": "hi"}')
    body, refusal = read_push_request(request)
    assert body is None and refusal.status == 401


@pytest.mark.parametrize("signature", ["é" * 40, "\ud800", "\udcff" * 40])
def test_a_wechat_signature_that_is_not_ascii_is_invalid_not_a_500(signature: str) -> None:
    # hmac.compare_digest refuses to compare non-ASCII text: it raised TypeError, the webhook answered 500.
    assert is_valid(signature, "token", "1700000000", "nonce") is False
    assert is_valid(sign("token", "1700000000", "\ud800"), "token", "1700000000", "\ud800") is True


class _RecordingSocketIO(SocketIOInput):
    def __init__(self) -> None:
        super().__init__(session_persistence=False)
        self.collector = CollectingOutputChannel()

    def make_output_channel(self, metadata=None):
        return wrap_output(self.collector, ScriptMemory(MemoryStore()))


def test_a_socketio_message_with_extra_arguments_is_still_answered(monkeypatch) -> None:
    async def never(*args, **kwargs) -> str:
        return args[1]

    monkeypatch.setattr(handoff_gate, "route", never)
    channel = _RecordingSocketIO()
    handled = []

    async def assistant(message) -> None:
        handled.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "您好")

    channel.blueprint(assistant)
    handler = channel.sio.handlers["/"]["user_uttered"]
    asyncio.run(handler("sid-extra-args", {"message": "在吗"}, "extra", 3))
    assert handled == ["在吗"] and [m["text"] for m in channel.collector.messages] == ["您好"]
