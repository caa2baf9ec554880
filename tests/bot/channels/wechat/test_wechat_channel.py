"""The channel's request handling with a scripted assistant in place of Rasa (Rasa itself: tests/e2e)."""

import asyncio
import base64
import json
import os
import time
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import UserMessage
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from bot.channels.inbound_guard import EMPTY_REPLY
from bot.channels.kv import MemoryStore
from bot.channels.script_output import ScriptMemory
from bot.channels.wechat import messages
from bot.channels.wechat.channel import WeChatInput
from bot.channels.wechat.config import WeChatConfig
from bot.channels.wechat.inbound import Rejected, open_message, verify_echo
from bot.channels.wechat.render import MAX_TEXT_BYTES
from bot.vocabulary.script import detect_script
from tests.wechat_fake_api import FakeWeChatApi

TOKEN = "unit-token"
APP_ID = "wxunit0000000001"
SECRET = "unit-secret"
AES_KEY = base64.b64encode(os.urandom(32)).decode()[:-1]


@pytest.fixture()
def fake_api():
    api = FakeWeChatApi(APP_ID, SECRET).start()
    yield api
    api.stop()


def make_channel(api: FakeWeChatApi, timeout: float = 1.0, mode: str = "plain") -> WeChatInput:
    config = WeChatConfig(
        token=TOKEN, app_id=APP_ID, app_secret=SECRET, encoding_aes_key=AES_KEY if mode != "plain" else "",
        message_mode=mode, api_base=api.base_url, passive_timeout_s=timeout, dedupe_ttl_s=60,
    )
    return WeChatInput(config, memory=ScriptMemory(MemoryStore()))


class Assistant:
    """Answers like Rasa would through the message's output channel; counts what it handled."""

    def __init__(self, delay: float = 0.0, replies: list[dict] | None = None, fail: bool = False) -> None:
        self.delay = delay
        self.replies = replies
        self.fail = fail
        self.handled: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.handled.append(message)
        await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("model exploded")
        for reply in self.replies or [{"text": f"收到：{message.text}，运费按重量计算"}]:
            await message.output_channel.send_response(message.sender_id, dict(reply))


def text_fields(content: str, msg_id: str = "1001", openid: str = "o-user-1") -> dict:
    return {"ToUserName": "gh_acct", "FromUserName": openid, "CreateTime": str(int(time.time())),
            "MsgType": "text", "Content": content, "MsgId": msg_id}


def deadline(seconds: float) -> float:
    return asyncio.get_running_loop().time() + seconds


def test_reply_in_time_goes_back_passively(fake_api):
    async def scenario():
        channel, assistant = make_channel(fake_api), Assistant()
        reply = await channel.answer(text_fields("运费怎么算"), assistant, deadline(1.0))
        assert reply == "收到：运费怎么算，运费按重量计算"
        message = assistant.handled[0]
        assert message.sender_id == "wx:o-user-1" and message.input_channel == "wechat"
        assert message.message_id == "1001" and message.metadata["channel"] == "wechat"
        assert fake_api.sent == []

    asyncio.run(scenario())


def test_retries_share_one_run_and_get_the_same_reply(fake_api):
    async def scenario():
        channel, assistant = make_channel(fake_api), Assistant(delay=0.3)
        fields = text_fields("查件 SF1234567890", msg_id="2002")
        first, second, third = await asyncio.gather(
            channel.answer(dict(fields), assistant, deadline(1.0)),
            channel.answer(dict(fields), assistant, deadline(1.0)),
            channel.answer(dict(fields), assistant, deadline(1.0)),
        )
        later = await channel.answer(dict(fields), assistant, deadline(1.0))
        assert len(assistant.handled) == 1
        assert first == second == third == later and first.startswith("收到")

    asyncio.run(scenario())


def test_two_customers_messages_with_one_msgid_are_both_answered(fake_api):
    async def scenario():
        channel, assistant = make_channel(fake_api), Assistant()
        mine = await channel.answer(text_fields("运费怎么算", msg_id="3003", openid="o-user-a"), assistant,
                                    deadline(1.0))
        theirs = await channel.answer(text_fields("查件 SF1234567890", msg_id="3003", openid="o-user-b"), assistant,
                                      deadline(1.0))
        assert [m.sender_id for m in assistant.handled] == ["wx:o-user-a", "wx:o-user-b"]
        assert mine == "收到：运费怎么算，运费按重量计算" and theirs == "收到：查件 SF1234567890，运费按重量计算"

    asyncio.run(scenario())


def test_slow_reply_answers_success_then_arrives_through_the_api_once(fake_api):
    async def scenario():
        channel, assistant = make_channel(fake_api, timeout=0.2), Assistant(delay=0.6)
        fields = text_fields("我要投诉", msg_id="3003")
        assert await channel.answer(dict(fields), assistant, deadline(0.2)) is None
        # WeChat's retry while the assistant is still busy: no second run, no passive reply either.
        assert await channel.answer(dict(fields), assistant, deadline(0.2)) is None
        await asyncio.sleep(1.0)
        assert await channel.answer(dict(fields), assistant, deadline(0.2)) is None  # already pushed
        assert len(assistant.handled) == 1

    asyncio.run(scenario())
    assert fake_api.texts_to("o-user-1") == ["收到：我要投诉，运费按重量计算"]
    assert fake_api.token_requests == 1


def test_long_replies_are_split_and_pushed(fake_api):
    async def scenario():
        long_text = "\n".join(f"第{i}站：快件已到达转运中心，正在分拣。" for i in range(120))
        channel = make_channel(fake_api)
        reply = await channel.answer(text_fields("物流详情", msg_id="4004"), Assistant(replies=[{"text": long_text}]), deadline(1.0))
        assert reply is None
        await asyncio.sleep(0.5)
        texts = fake_api.texts_to("o-user-1")
        assert len(texts) > 1 and "\n".join(texts) == long_text
        assert all(len(t.encode()) <= MAX_TEXT_BYTES for t in texts)

    asyncio.run(scenario())


def test_buttons_become_numbered_options_and_a_number_picks_one(fake_api):
    async def scenario():
        channel = make_channel(fake_api)
        ask = Assistant(replies=[{"text": "请选择服务", "buttons": [{"title": "标准快递", "payload": "/choose{\"level\":\"standard\"}"},
                                                                   {"title": "特快", "payload": "/choose{\"level\":\"express\"}"}]}])
        reply = await channel.answer(text_fields("寄件", msg_id="5005"), ask, deadline(1.0))
        assert "1. 标准快递" in reply and "2. 特快" in reply and "回复数字" in reply
        echo = Assistant()
        await channel.answer(text_fields("2", msg_id="5006"), echo, deadline(1.0))
        assert echo.handled[0].text == '/choose{"level":"express"}'

    asyncio.run(scenario())


def test_traditional_customer_gets_traditional_everywhere(fake_api):
    async def scenario():
        channel = make_channel(fake_api)
        ask = Assistant(replies=[{"text": "运费按重量计算", "buttons": [{"title": "转人工", "payload": "/human_handoff"}]}])
        reply = await channel.answer(text_fields("請問運費怎麼算", msg_id="6001"), ask, deadline(1.0))
        assert "運費按重量計算" in reply and "轉人工" in reply and "回覆數字" in reply
        reply = await channel.answer(text_fields("好的", msg_id="6002"), Assistant(replies=[{"text": "还有其他问题吗"}]), deadline(1.0))
        assert reply == "還有其他問題嗎"
        # Proactive message through Rasa's output channel for this customer.
        await channel.get_output_channel().send_response("wx:o-user-1", {"text": "您的快件正在派送，请保持电话畅通"})

    asyncio.run(scenario())
    assert fake_api.texts_to("o-user-1") == ["您的快件正在派送，請保持電話暢通"]


def test_events_images_and_unsupported_messages(fake_api):
    async def scenario():
        channel, assistant = make_channel(fake_api), Assistant()
        base = {"ToUserName": "gh_acct", "FromUserName": "o-user-2", "CreateTime": "1700000000"}
        welcome = await channel.answer({**base, "MsgType": "event", "Event": "subscribe"}, assistant, deadline(1.0))
        for service in ("查件", "报价", "上门取件", "投诉", "理赔", "常见问题", "转人工"):
            assert service in welcome
        assert await channel.answer({**base, "CreateTime": "1700000001", "MsgType": "event", "Event": "unsubscribe"},
                                    assistant, deadline(1.0)) is None
        image = {**base, "MsgType": "image", "PicUrl": "http://mmbiz.example/pic.jpg", "MediaId": "media-1", "MsgId": "7001"}
        await channel.answer(image, assistant, deadline(1.0))
        voice = {**base, "MsgType": "voice", "MediaId": "media-2", "Format": "amr", "MsgId": "7002"}
        assert await channel.answer(voice, assistant, deadline(1.0)) == messages.UNSUPPORTED
        assert len(assistant.handled) == 1
        message = assistant.handled[0]
        assert message.text == "[图片]"
        assert message.metadata["image_url"] == "http://mmbiz.example/pic.jpg" and message.metadata["media_id"] == "media-1"

    asyncio.run(scenario())


def test_assistant_failure_becomes_an_apology(fake_api):
    async def scenario():
        reply = await make_channel(fake_api).answer(text_fields("你好", msg_id="8001"), Assistant(fail=True), deadline(1.0))
        assert reply == messages.SORRY

    asyncio.run(scenario())


def _signed_args(nonce: str = "n1", **extra: str) -> dict:
    timestamp = str(int(time.time()))
    signer = WeChatSigner()
    signer.add_data(TOKEN, timestamp, nonce)
    return {"signature": signer.signature, "timestamp": timestamp, "nonce": nonce, **extra}


def test_open_message_checks_signature_before_anything_else():
    body = b"<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><MsgType>text</MsgType></xml>"
    fields, encrypted = open_message(TOKEN, None, _signed_args(), body)
    assert fields["FromUserName"] == "o1" and not encrypted
    bad = {**_signed_args(), "signature": "0" * 40}
    with pytest.raises(Rejected) as refused:
        open_message(TOKEN, None, bad, b"<!DOCTYPE x [<!ENTITY a 'b'>]><xml/>")
    assert refused.value.status == 403
    with pytest.raises(Rejected) as refused:
        open_message(TOKEN, None, _signed_args(), b"<!DOCTYPE x [<!ENTITY a 'b'>]><xml/>")
    assert refused.value.status == 400
    with pytest.raises(Rejected) as refused:
        open_message("", None, _signed_args(), body)  # no token configured: nothing is accepted
    assert refused.value.status == 403


def test_safe_mode_round_trip_with_wechatpy(fake_api):
    channel = make_channel(fake_api, mode="safe")
    wechat = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    plain = "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><MsgType>text</MsgType><Content>你好</Content></xml>"
    timestamp = str(int(time.time()))
    envelope = wechat.encrypt_message(plain, "n2", timestamp)
    signer = WeChatSigner()
    signer.add_data(TOKEN, timestamp, "n2")
    args = {"signature": signer.signature, "timestamp": timestamp, "nonce": "n2", "encrypt_type": "aes",
            "msg_signature": _msg_signature(envelope)}
    fields, encrypted = open_message(TOKEN, channel.crypto, args, envelope.encode(), channel.config.accepts_plaintext)
    assert encrypted and fields["Content"] == "你好"
    with pytest.raises(Rejected) as refused:
        open_message(TOKEN, channel.crypto, {**args, "msg_signature": "0" * 40}, envelope.encode(), False)
    assert refused.value.status == 403
    with pytest.raises(Rejected) as refused:  # safe mode: a plaintext body is not trusted
        open_message(TOKEN, channel.crypto, _signed_args(), plain.encode(), channel.config.accepts_plaintext)
    assert refused.value.status == 403


def _msg_signature(envelope: str) -> str:
    import re

    return re.search(r"<MsgSignature><!\[CDATA\[(\w+)\]\]>", envelope).group(1)


def test_verification_plain_and_encrypted(fake_api):
    assert verify_echo(TOKEN, None, {**_signed_args(), "echostr": "12345"}) == "12345"
    with pytest.raises(Rejected):
        verify_echo(TOKEN, None, {**_signed_args(), "signature": "0" * 40, "echostr": "12345"})
    channel = make_channel(fake_api, mode="safe")
    echostr = WeChatCrypto(TOKEN, AES_KEY, APP_ID).encrypt_message("echo-678", "n3")
    encrypted = __import__("re").search(r"<Encrypt><!\[CDATA\[(.+?)\]\]>", echostr).group(1)
    timestamp = str(int(time.time()))
    signer = WeChatSigner()
    signer.add_data(TOKEN, timestamp, "n3", encrypted)
    args = {"msg_signature": signer.signature, "timestamp": timestamp, "nonce": "n3", "echostr": encrypted}
    assert verify_echo(TOKEN, channel.crypto, args) == "echo-678"


def test_retry_reaching_another_instance_gets_the_first_instances_reply(fake_api):
    from bot.channels.wechat.dedupe import DedupeStore

    async def scenario():
        shared = DedupeStore(MemoryStore(), ttl_s=60)  # what Redis is in production
        one, two = make_channel(fake_api), make_channel(fake_api)
        one.dedupe = two.dedupe = shared
        assistant = Assistant(delay=0.2)
        fields = text_fields("在吗", msg_id="9001")
        first, retry = await asyncio.gather(
            one.answer(dict(fields), assistant, deadline(1.0)),
            two.answer(dict(fields), assistant, deadline(1.0)),
        )
        assert len(assistant.handled) == 1
        assert first == retry == "收到：在吗，运费按重量计算"

    asyncio.run(scenario())


def test_agent_messages_say_a_person_wrote_them():
    from bot.channels.wechat.channel import _signed_by

    assert _signed_by({"role": "agent", "name": "小王"}) == "【人工客服小王】"
    assert _signed_by({"role": "agent"}) == "【人工客服】"
    assert _signed_by({"role": "notice"}) == "" and _signed_by(None) == ""


def test_stale_or_missing_timestamps_are_refused_when_a_window_is_set():
    body = b"<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><MsgType>text</MsgType></xml>"
    open_message(TOKEN, None, _signed_args(), body, max_age_s=300)
    old = str(int(time.time()) - 3600)
    signer = WeChatSigner()
    signer.add_data(TOKEN, old, "n9")
    with pytest.raises(Rejected) as refused:  # validly signed, but a replay from an hour ago
        open_message(TOKEN, None, {"signature": signer.signature, "timestamp": old, "nonce": "n9"}, body, max_age_s=300)
    assert refused.value.status == 403
    signer = WeChatSigner()
    signer.add_data(TOKEN, "not-a-time", "n9")
    with pytest.raises(Rejected):
        open_message(TOKEN, None, {"signature": signer.signature, "timestamp": "not-a-time", "nonce": "n9"}, body,
                     max_age_s=300)


def test_a_broken_dedupe_store_does_not_leave_the_customer_unanswered(fake_api):
    class BrokenStore(MemoryStore):
        async def add(self, key, value, ttl_s):
            raise ConnectionError("redis down")

        async def set(self, key, value, ttl_s):
            raise ConnectionError("redis down")

    from bot.channels.wechat.dedupe import DedupeStore

    async def scenario():
        channel = make_channel(fake_api)
        channel.dedupe = DedupeStore(BrokenStore())
        return await channel.answer(text_fields("在吗", msg_id="9101"), Assistant(), deadline(1.0))

    assert asyncio.run(scenario()) == "收到：在吗，运费按重量计算"


# --- issue 13: the inbound guard (findings 1, 6) and replayed signatures (finding 8) -------------------


@pytest.mark.security
def test_over_long_messages_get_a_polite_answer_and_never_reach_the_assistant(fake_api):
    async def scenario():
        assistant = Assistant()
        reply = await make_channel(fake_api).answer(text_fields("寄" * 1001, msg_id="13001"), assistant, deadline(1.0))
        return reply, assistant

    reply, assistant = asyncio.run(scenario())
    assert "精简" in reply and assistant.handled == []


@pytest.mark.security
def test_a_traditional_over_long_message_is_answered_in_traditional(fake_api):
    async def scenario():
        fields = text_fields("請問我的包裹到哪裡了" * 200, msg_id="13002", openid="o-tw-long")
        return await make_channel(fake_api).answer(fields, Assistant(), deadline(1.0))

    reply = asyncio.run(scenario())
    assert "精簡" in reply and detect_script(reply) == "traditional"


@pytest.mark.security
@pytest.mark.parametrize("content", ["", "   ", "\ud800", "\x01\x02\u200b"])
def test_nothing_to_read_gets_a_greeting_not_silence(fake_api, content):
    async def scenario():
        assistant = Assistant()
        reply = await make_channel(fake_api).answer(text_fields(content, msg_id="13003"), assistant, deadline(1.0))
        return reply, assistant

    reply, assistant = asyncio.run(scenario())
    assert reply == EMPTY_REPLY and assistant.handled == []


@pytest.mark.security
def test_the_assistant_gets_clean_text(fake_api):
    async def scenario():
        assistant = Assistant()
        await make_channel(fake_api).answer(text_fields(" 查件\ud83dZT100000000001\x00 ", msg_id="13004"), assistant,
                                            deadline(1.0))
        return assistant

    assert asyncio.run(scenario()).handled[0].text == "查件ZT100000000001"


def _plain_body(content: str, msg_id: str, openid: str = "o-replay") -> bytes:
    return (f"<xml><ToUserName>gh</ToUserName><FromUserName>{openid}</FromUserName><CreateTime>"
            f"{int(time.time())}</CreateTime><MsgType>text</MsgType><Content>{content}</Content>"
            f"<MsgId>{msg_id}</MsgId></xml>").encode()


async def _post(channel: WeChatInput, args: dict, body: bytes, assistant: Assistant):
    return await channel.receive(SimpleNamespace(args=args, body=body), assistant)


@pytest.mark.security
def test_a_captured_signature_with_another_body_is_refused(fake_api):
    async def scenario():
        channel, assistant = make_channel(fake_api), Assistant()
        args = _signed_args(nonce="replay-1")
        first = await _post(channel, args, _plain_body("在吗", "13101"), assistant)
        # WeChat's own retry (same signature, same body) is still answered, from the dedupe memory.
        retry = await _post(channel, args, _plain_body("在吗", "13101"), assistant)
        forged = await _post(channel, args, _plain_body("转人工", "13102"), assistant)
        return first, retry, forged, assistant

    first, retry, forged, assistant = asyncio.run(scenario())
    assert first.status == 200 and "收到" in first.body.decode()
    assert retry.status == 200 and "收到：在吗" in retry.body.decode()
    assert forged.status == 403 and len(assistant.handled) == 1


@pytest.mark.security
def test_replay_guard_remembers_pairs_and_refuses_malformed_ones():
    from bot.channels.wechat.replay import ReplayGuard

    async def scenario():
        guard = ReplayGuard(MemoryStore(), window_s=300)
        return [await guard.admit("1700000000", "n1", b"a"), await guard.admit("1700000000", "n1", b"a"),
                await guard.admit("1700000000", "n1", b"b"), await guard.admit("1700000000", "n2", b"b"),
                await guard.admit("1700000000", None, b"b"), await guard.admit("1700000000", "9" * 65, b"b")]

    assert asyncio.run(scenario()) == [True, True, False, True, False, False]


@pytest.mark.security
def test_an_openid_too_long_for_a_conversation_id_is_refused(fake_api):
    response = asyncio.run(_post(make_channel(fake_api), _signed_args(nonce="long-openid"),
                                 _plain_body("在吗", "13201", openid="o" * 200), Assistant()))
    assert response.status == 400


@pytest.mark.security
@pytest.mark.parametrize(
    ("body", "words"),
    [({"sender_id": "wx:" + "o" * 200, "text": "您好"}, "longer than"),
     ({"sender_id": "", "text": "您好"}, "sender_id is required"),
     ({"sender_id": "wx:o1", "text": "好" * 4001}, "longer than")],
)
def test_pushes_are_bounded(fake_api, body, words):
    from bot.settings import get_settings

    request = SimpleNamespace(headers={"X-API-Key": get_settings().backend_api_key},
                              body=json.dumps(body).encode())
    response = asyncio.run(make_channel(fake_api).handle_push(request))
    assert response.status == 400 and words in json.loads(response.body)["error"]
