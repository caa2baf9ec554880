"""Issue 13's hostile corpus on every channel of the real stack: 0 5xx, 0 empty replies, 0 crashes.

Every input of tests/hostile_corpus.py goes through each channel a customer can reach, with the clients of
tests/hostile_clients.py:
- the REST webhook;
- socket.io (the web chat), as `user_uttered` in a fresh session per input;
- WeChat, as a signed text message in plain-text mode and in AES safe mode (a second row: encryption
  changes the size through base64 and hides the XML until it is decrypted).
For each input:
- no 5xx and no answer-less request; a malformed request may get a 4xx that says why (WeChat refuses a body
  that is not UTF-8, holds characters XML 1.0 forbids or is past its 64 KB bound, as WeChat never sends one);
- a customer message gets a non-empty reply (a polite note for what the assistant cannot read);
- the same conversation still answers "在吗" afterwards, and no service process has died;
- an oversized message is answered fast, and the Rasa process's peak memory (VmHWM, reset per input)
  stays near where it was.
Each channel also gets its own abuse, counted in its row:
- socket.io: payloads of the wrong JSON type (list, number, string, null, binary; message or metadata of the
  wrong type), missing, huge or foreign session ids, malformed `session_request`, a message before any
  `session_request`, extra event arguments: the connection stays up and the customer is answered;
- WeChat: broken, non-XML, non-UTF-8, entity-expansion ("billion laughs") and external-entity (XXE) bodies,
  unknown MsgType, missing FromUserName/MsgType, bad or stale signatures and chosen ciphertexts: a 4xx with
  a body (or "success" with nothing to say), nothing delivered, the next message answered;
- the push routes (`/webhooks/socketio/push`, `/webhooks/wechat/push`; REST has none): without the backend's
  key 401; with it, a body of the wrong type, oversized text, surrogates or a huge recipient gets a 4xx that
  says why or 200, never a 5xx, and the route keeps working.
The figures per channel go to results/security_corpus.json and are printed as a table after the module.
Every wait is bounded: each socket.io customer hangs up at once in `finally` (a plain disconnect waits ~30 s
for the pending long poll), waits where no reply is due are short, and every test has a 60 s timeout. The
module runs in under two minutes past the stack's start on two cores.
"""

from __future__ import annotations

import base64
import os
import struct
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.channels.socketio import valid_session_id
from tests.e2e.wechat_account import AES_KEY, APP_ID
from tests.hostile_clients import SocketChat, WeChatRaw, post, rest_replies, text_xml_bytes
from tests.hostile_corpus import CORPUS, HostileInput
from tests.hostile_probe import CorpusRecord, Outcome, Probe, RasaMemory
from tests.wechat_side import ACCOUNT, BILLION_LAUGHS, XXE, new_openid

# A hung client fails its own test in a minute instead of holding the run (the stack's start is not counted).
pytestmark = [pytest.mark.e2e, pytest.mark.security, pytest.mark.timeout(60, func_only=True)]

FOLLOW_UP = "在吗"
IDS = [item.name for item in CORPUS]


@pytest.fixture(scope="module")
def record(stack, request: pytest.FixtureRequest) -> Iterator[CorpusRecord]:
    rasa = next(service for service in stack.stack.services if service.name == "rasa")
    corpus_record = CorpusRecord(RasaMemory(rasa.process.pid), stack.stack.dead)
    yield corpus_record
    corpus_record.write()
    # Printed past pytest's capture, so the figures show in a plain `pytest -q` run.
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in corpus_record.table().splitlines():
                reporter.write_line(line)


def _sender(channel: str) -> str:
    return f"hostile-{channel}-{uuid.uuid4().hex[:12]}"


def rest_say(stack, body: Any = None, **request: Any) -> Any:
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    return rest_replies(post(url, json_body=body, **request) if body is not None else post(url, **request))


# --- REST ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_rest_message(stack, record: CorpusRecord, item: HostileInput) -> None:
    sender = _sender("rest")
    with record.probe("rest", item.name, item.oversized) as probe:
        probe.check(rest_say(stack, {"sender": sender, "message": item.text}))
        probe.check(rest_say(stack, {"sender": sender, "message": FOLLOW_UP}), what="follow-up 在吗")


# --- socket.io (the web chat) ----------------------------------------------------------------------------
# One fresh customer per input, always closed, every wait bounded: a hung socket costs seconds, not the run.

FOLLOW_UP_QUIET_S = 0.3  # the follow-up's first part is enough to know it was answered


def socket_follow_up(probe: Probe, chat: SocketChat, session_id: str | None) -> None:
    payload = {"message": FOLLOW_UP} if session_id is None else {"message": FOLLOW_UP, "session_id": session_id}
    probe.check(chat.say(payload, quiet=FOLLOW_UP_QUIET_S), what="follow-up 在吗")


@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_socketio_message(stack, record: CorpusRecord, item: HostileInput) -> None:
    with record.probe("socketio", item.name, item.oversized) as probe, SocketChat(stack.rasa_url) as chat:
        session_id = chat.open()
        probe.check(chat.say({"message": item.text, "session_id": session_id}))
        socket_follow_up(probe, chat, session_id)


# (name, payload of `user_uttered` or a function of the session id, is a reply due)
SESSION = object()  # stands for the session id the server confirmed
SOCKET_PAYLOADS: list[tuple[str, Any, bool]] = [
    ("payload-list", ["在吗", SESSION], True),
    ("payload-number", 42, True),
    ("payload-string", "在吗", True),
    ("payload-null", None, True),
    ("payload-bool", True, True),
    ("payload-binary", b"\x00\xff\xfe binary", True),
    ("message-int", {"message": 42, "session_id": SESSION}, True),
    ("message-list", {"message": ["在吗"], "session_id": SESSION}, True),
    ("message-dict", {"message": {"text": "在吗"}, "session_id": SESSION}, True),
    ("message-null", {"message": None, "session_id": SESSION}, True),
    ("message-missing", {"session_id": SESSION}, True),
    ("metadata-list", {"message": "在吗", "session_id": SESSION, "metadata": ["a", "list"]}, True),
    ("metadata-string", {"message": "在吗", "session_id": SESSION, "metadata": "{not json"}, True),
    ("metadata-number", {"message": "在吗", "session_id": SESSION, "metadata": 42}, True),
    ("metadata-huge", {"message": "在吗", "session_id": SESSION, "metadata": {"k": "v" * 100_000}}, True),
    ("metadata-surrogate", {"message": "在吗", "session_id": SESSION, "metadata": {"k": "\ud800"}}, True),
    ("session-id-missing", {"message": "在吗"}, True),
    ("session-id-huge", {"message": "在吗", "session_id": "s" * 100_000}, True),
    ("session-id-int", {"message": "在吗", "session_id": 12345678}, True),
    ("session-id-dict", {"message": "在吗", "session_id": {"$ne": None}}, True),
    ("session-id-traversal", {"message": "在吗", "session_id": "../../../etc/passwd"}, True),
    ("session-id-surrogate", {"message": "在吗", "session_id": "\ud800" * 16}, True),
    ("session-id-other-customer", {"message": "在吗", "session_id": uuid.uuid4().hex}, True),
]


def _with_session(payload: Any, session_id: str) -> Any:
    if payload is SESSION:
        return session_id
    if isinstance(payload, dict):
        return {key: _with_session(value, session_id) for key, value in payload.items()}
    if isinstance(payload, list):
        return [_with_session(value, session_id) for value in payload]
    return payload


@pytest.mark.parametrize(("name", "payload", "reply_due"), SOCKET_PAYLOADS, ids=[p[0] for p in SOCKET_PAYLOADS])
def test_socketio_malformed_payload(stack, record: CorpusRecord, name: str, payload: Any, reply_due: bool) -> None:
    with record.probe("socketio", name) as probe, SocketChat(stack.rasa_url) as chat:
        session_id = chat.open()
        probe.check(chat.say(_with_session(payload, session_id), reply_due=reply_due))
        socket_follow_up(probe, chat, session_id)


@pytest.mark.parametrize(
    "request_payload",
    [None, 42, "a string", ["a", "list"], {"session_id": 42}, {"session_id": "x" * 100_000}, {"session_id": "../x"}],
    ids=["null", "number", "string", "list", "session-id-int", "session-id-huge", "session-id-traversal"],
)
def test_socketio_malformed_session_request(stack, record: CorpusRecord, request_payload: Any) -> None:
    name = f"session-request-{request_payload if request_payload is None else type(request_payload).__name__}"
    with record.probe("socketio", name) as probe, SocketChat(stack.rasa_url) as chat:
        session_id = chat.open(request_payload)
        probe.require(valid_session_id(session_id) is not None, f"session_confirm sent {str(session_id)[:40]!r}")
        probe.check(chat.say({"message": "查件 ZT100000000001", "session_id": session_id}))
        socket_follow_up(probe, chat, session_id)


@pytest.mark.parametrize("with_session_id", [False, True], ids=["no-session-id", "own-session-id"])
def test_socketio_message_before_session_request(stack, record: CorpusRecord, with_session_id: bool) -> None:
    with record.probe("socketio", f"before-session-request-{with_session_id}") as probe, \
            SocketChat(stack.rasa_url) as chat:
        chat.connect()
        session_id = uuid.uuid4().hex if with_session_id else None
        payload = {"message": "在吗"} if session_id is None else {"message": "在吗", "session_id": session_id}
        probe.check(chat.say(payload))
        socket_follow_up(probe, chat, session_id)


def test_socketio_extra_arguments(stack, record: CorpusRecord) -> None:
    """`user_uttered` with three arguments instead of one: the customer is still answered."""
    with record.probe("socketio", "extra-arguments") as probe, SocketChat(stack.rasa_url) as chat:
        session_id = chat.open()
        probe.check(chat.say(({"message": "在吗", "session_id": session_id}, "extra", 3)))
        socket_follow_up(probe, chat, session_id)


# --- WeChat (plain text and AES safe mode) ---------------------------------------------------------------
# A body WeChat could never send (not UTF-8, characters XML 1.0 forbids, past the 64 KB bound) may be refused
# with a 4xx that says why; everything else a customer typed gets a non-empty reply, passive or pushed.

@pytest.fixture()
def wechat_raw(wechat) -> WeChatRaw:
    return WeChatRaw(wechat)


def wechat_say(raw: WeChatRaw, openid: str, text: str, aes: bool = False, **spoil: Any) -> Outcome:
    return raw.converse(openid, text_xml_bytes(openid, text, raw.server.next_msg_id()), aes=aes, **spoil)


def wechat_follow_up(probe: Probe, raw: WeChatRaw, openid: str, aes: bool = False) -> None:
    outcome = wechat_say(raw, openid, FOLLOW_UP, aes)
    probe.require(outcome.status == 200, f"follow-up 在吗: HTTP {outcome.status}")
    probe.check(outcome, what="follow-up 在吗")


@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_wechat_message(stack, record: CorpusRecord, wechat_raw: WeChatRaw, item: HostileInput) -> None:
    openid = new_openid()
    with record.probe("wechat", item.name, item.oversized) as probe:
        probe.check(wechat_say(wechat_raw, openid, item.text))
        wechat_follow_up(probe, wechat_raw, openid)


@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_wechat_aes_message(stack, record: CorpusRecord, wechat_raw: WeChatRaw, item: HostileInput) -> None:
    openid = new_openid()
    with record.probe("wechat-aes", item.name, item.oversized) as probe:
        probe.check(wechat_say(wechat_raw, openid, item.text, aes=True))
        wechat_follow_up(probe, wechat_raw, openid, aes=True)


def _xml(openid: str, inner: str) -> bytes:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>{inner}"
            f"<CreateTime>{int(time.time())}</CreateTime></xml>").encode()


def _from(openid: str) -> str:
    return f"<FromUserName><![CDATA[{openid}]]></FromUserName>"


# (name, body for an openid, the statuses acceptable, is a reply due on 200)
WECHAT_BODIES: list[tuple[str, Callable[[str], bytes], tuple[int, ...], bool]] = [
    ("broken-xml", lambda o: f"<xml><ToUserName>broken{_from(o)}".encode(), (400,), False),
    ("not-xml-json", lambda o: b'{"FromUserName": "x", "MsgType": "text", "Content": "hi"}', (400,), False),
    ("not-xml-text", lambda o: "在吗".encode(), (400,), False),
    ("empty-body", lambda o: b"", (400,), False),
    ("not-utf8", lambda o: b"<xml>\xff\xfe\xfd</xml>", (400,), False),
    ("billion-laughs", lambda o: BILLION_LAUGHS.format(account=ACCOUNT, openid=o).encode(), (400,), False),
    ("xxe", lambda o: XXE.format(account=ACCOUNT, openid=o).encode(), (400,), False),
    ("root-not-xml", lambda o: f"<html>{_from(o)}<MsgType>text</MsgType></html>".encode(), (400,), False),
    ("over-64kb", lambda o: _xml(o, _from(o) + "<MsgType>text</MsgType><Content>" + "x" * 70_000 + "</Content>"),
     (400,), False),
    ("missing-from-user", lambda o: _xml(o, "<MsgType>text</MsgType><Content>在吗</Content><MsgId>9</MsgId>"),
     (400,), False),
    ("missing-msg-type", lambda o: _xml(o, _from(o) + "<Content>在吗</Content><MsgId>9</MsgId>"), (400,), False),
    ("from-user-huge", lambda o: _xml("o" * 10_000, _from("o" * 10_000) + "<MsgType>text</MsgType><Content>在吗"
                                      "</Content>"), (400,), False),
    ("msg-type-unknown", lambda o: _xml(o, _from(o) + "<MsgType>nonsense</MsgType><Content>在吗</Content>"),
     (200,), False),
    ("msg-type-event-without-event", lambda o: _xml(o, _from(o) + "<MsgType>event</MsgType>"), (200,), False),
    ("msg-type-video", lambda o: _xml(o, _from(o) + "<MsgType>video</MsgType><MsgId>7</MsgId>"), (200,), True),
    ("content-missing", lambda o: _xml(o, _from(o) + "<MsgType>text</MsgType>"), (200,), True),
    ("content-nested-markup", lambda o: _xml(o, _from(o) + "<MsgType>text</MsgType><Content><b>在吗</b><i>x</i>"
                                            "</Content>"), (200,), True),
    ("image-without-url", lambda o: _xml(o, _from(o) + "<MsgType>image</MsgType>"), (200,), True),
]


@pytest.mark.parametrize(("name", "body", "statuses", "reply_due"), WECHAT_BODIES, ids=[b[0] for b in WECHAT_BODIES])
@pytest.mark.parametrize("aes", [False, True], ids=["plain", "aes"])
def test_wechat_malformed_body(stack, record: CorpusRecord, wechat_raw: WeChatRaw, name: str,
                               body: Callable[[str], bytes], statuses: tuple[int, ...], reply_due: bool,
                               aes: bool) -> None:
    openid = new_openid()
    with record.probe("wechat-aes" if aes else "wechat", name) as probe:
        outcome = wechat_raw.converse(openid, body(openid), aes=aes, reply_due=reply_due)
        probe.require(outcome.status in statuses, f"HTTP {outcome.status}, expected {statuses}: {outcome.body[:80]!r}")
        probe.check(outcome, reply_due=reply_due)
        wechat_follow_up(probe, wechat_raw, openid, aes)


def _ciphertext(plain: bytes) -> str:
    """`plain` padded and AES-encrypted with the account's key, as only someone holding it could."""
    key = base64.b64decode(AES_KEY + "=")
    plain += bytes([32 - len(plain) % 32]) * (32 - len(plain) % 32)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def _message_plain(message: bytes, app_id: bytes = APP_ID.encode(), length: int | None = None) -> bytes:
    return os.urandom(16) + struct.pack(">I", len(message) if length is None else length) + message + app_id


_TEXT = b"<xml><FromUserName>o-cipher</FromUserName><MsgType>text</MsgType><Content>hi</Content></xml>"

# (name, how the request is spoiled, AES): requests that must be refused with a 4xx that says so.
WECHAT_SPOILED: list[tuple[str, dict[str, Any], bool]] = [
    ("bad-signature", {"params": {"signature": "0" * 40}}, False),
    ("bad-signature-aes", {"params": {"signature": "0" * 40}}, True),
    ("bad-msg-signature", {"params": {"msg_signature": "0" * 40}}, True),
    ("no-signature", {"params": {"signature": ""}}, False),
    ("signature-not-ascii", {"params": {"signature": "签" * 40}}, False),
    ("msg-signature-not-ascii", {"params": {"msg_signature": "签" * 40}}, True),
    ("stale-timestamp", {"age_s": 3600}, False),
    ("timestamp-not-a-number", {"params": {"timestamp": "yesterday"}}, False),
    ("aes-without-encrypt-element", {"params": {"encrypt_type": "aes", "msg_signature": "0" * 40}}, False),
    # Chosen ciphertexts, correctly signed (msg_signature covers the ciphertext, not what it decrypts to).
    ("ciphertext-not-base64", {"encrypt": "not base64 at all!"}, True),
    ("ciphertext-not-blocks", {"encrypt": base64.b64encode(b"seventeen bytes!!").decode()}, True),
    ("ciphertext-random-blocks", {"encrypt": base64.b64encode(os.urandom(64)).decode()}, True),
    ("ciphertext-other-app-id", {"encrypt": _ciphertext(_message_plain(_TEXT, b"wxsomeoneelse0001"))}, True),
    ("ciphertext-length-lies", {"encrypt": _ciphertext(_message_plain(_TEXT, length=2**31))}, True),
    ("ciphertext-not-utf8", {"encrypt": _ciphertext(_message_plain(b"<xml>\xff\xfe</xml>"))}, True),
    ("ciphertext-billion-laughs", {"encrypt": _ciphertext(_message_plain(
        BILLION_LAUGHS.format(account=ACCOUNT, openid="o-cipher").encode()))}, True),
    ("ciphertext-not-xml", {"encrypt": _ciphertext(_message_plain(b"just text"))}, True),
]


@pytest.mark.parametrize(("name", "spoil", "aes"), WECHAT_SPOILED, ids=[s[0] for s in WECHAT_SPOILED])
def test_wechat_request_not_from_wechat_is_refused(stack, record: CorpusRecord, wechat_raw: WeChatRaw, name: str,
                                                   spoil: dict[str, Any], aes: bool) -> None:
    openid = new_openid()
    with record.probe("wechat-aes" if aes else "wechat", name) as probe:
        outcome = wechat_say(wechat_raw, openid, "转人工", aes, **spoil)
        probe.require(outcome.status is not None and 400 <= outcome.status < 500,
                      f"HTTP {outcome.status}, expected a 4xx: {outcome.body[:80]!r}")
        probe.require(not wechat_raw.server.api.texts_to(openid), "a refused request was answered")
        probe.check(outcome, reply_due=False)
        wechat_follow_up(probe, wechat_raw, openid, aes)


# --- push routes (other processes message a customer; X-API-Key = the backend's key) ---------------------
# No key or a wrong one: 401. With the key, a body that cannot be delivered: a 4xx that says why; one that
# can: 200. Never a 5xx. The REST channel has no push route (its replies go back in the HTTP answer).

PUSH_CHANNELS = ["socketio", "wechat"]
_BIG = "x" * (1024 * 1024)


def _push_recipient(channel: str) -> str:
    return f"wx:{new_openid()}" if channel == "wechat" else uuid.uuid4().hex


def _recipient_key(channel: str) -> str:
    return "sender_id" if channel == "wechat" else "session_id"


# (name, body for a recipient (bytes: sent as they are), statuses acceptable, oversized)
PUSH_BODIES: list[tuple[str, Callable[[str, str], Any], tuple[int, ...], bool]] = [
    ("valid", lambda key, to: {key: to, "text": "您的快递已到达北京"}, (200,), False),
    ("not-json", lambda key, to: b"{not json", (400,), False),
    ("not-utf8", lambda key, to: b"\xff\xfe\xfd", (400,), False),
    ("empty-body", lambda key, to: b"", (400,), False),
    ("json-list", lambda key, to: [key, to], (400,), False),
    ("json-number", lambda key, to: 42, (400,), False),
    ("json-string", lambda key, to: "text", (400,), False),
    ("json-null", lambda key, to: None, (400,), False),
    ("text-missing", lambda key, to: {key: to}, (400,), False),
    ("text-int", lambda key, to: {key: to, "text": 42}, (400,), False),
    ("text-list", lambda key, to: {key: to, "text": ["a"]}, (400,), False),
    ("text-dict", lambda key, to: {key: to, "text": {"a": 1}}, (400,), False),
    ("text-whitespace", lambda key, to: {key: to, "text": " \t\u3000 "}, (400,), False),
    ("text-1mb", lambda key, to: {key: to, "text": _BIG}, (400, 413), True),
    ("text-long-cjk", lambda key, to: {key: to, "text": "您的快递已到达" * 500}, (200, 400), False),
    ("text-surrogates", lambda key, to: {key: to, "text": "您的快递\ud800已到达\udfff"}, (200, 400), False),
    ("text-control", lambda key, to: {key: to, "text": "您的快递\x00\x1b[31m已到达\u202e"}, (200, 400), False),
    ("text-html", lambda key, to: {key: to, "text": "<script>alert(1)</script>"}, (200, 400), False),
    ("recipient-missing", lambda key, to: {"text": "hi"}, (400,), False),
    ("recipient-int", lambda key, to: {key: 42, "text": "hi"}, (400,), False),
    ("recipient-list", lambda key, to: {key: [to], "text": "hi"}, (400,), False),
    ("recipient-huge", lambda key, to: {key: "s" * 100_000, "text": "hi"}, (400,), False),
    ("recipient-surrogate", lambda key, to: {key: "\ud800" * 10, "text": "hi"}, (200, 400), False),
    ("buttons-wrong-type", lambda key, to: {key: to, "text": "hi", "buttons": "yes"}, (200, 400), False),
    ("buttons-wrong-items", lambda key, to: {key: to, "text": "hi", "buttons": [1, None, {"title": 2}]},
     (200, 400), False),
    ("image-not-url", lambda key, to: {key: to, "text": "hi", "image": "javascript:alert(1)"}, (200, 400), False),
    ("author-wrong-type", lambda key, to: {key: to, "text": "hi", "author": ["agent"]}, (200,), False),
    ("metadata-wrong-type", lambda key, to: {key: to, "text": "hi", "metadata": "x"}, (200,), False),
]


def push(stack, channel: str, body: Any, headers: dict[str, str] | None = None) -> Outcome:
    """POST to a push route, with the stack's key unless `headers` says otherwise; bytes are sent as they are."""
    headers = {"X-API-Key": stack.api_key} if headers is None else headers
    url = f"{stack.rasa_url}/webhooks/{channel}/push"
    if isinstance(body, bytes):
        return post(url, data=body, headers={**headers, "Content-Type": "application/json"})
    return post(url, json_body=body, headers=headers)


PUSH_KEYS = {"key-missing": {}, "key-wrong": {"X-API-Key": "wrong-key"}, "key-empty": {"X-API-Key": ""},
             "key-latin1": {"X-API-Key": "\u00ff" * 64}, "key-as-bearer": {"Authorization": "Bearer wrong-key"}}


@pytest.mark.parametrize("name", list(PUSH_KEYS))
@pytest.mark.parametrize("channel", PUSH_CHANNELS)
def test_push_without_the_key_is_refused(stack, record: CorpusRecord, wechat_api, channel: str, name: str) -> None:
    with record.probe(f"push-{channel}", name) as probe:
        body = {_recipient_key(channel): _push_recipient(channel), "text": "转人工"}
        outcome = push(stack, channel, body, headers=PUSH_KEYS[name])
        probe.require(outcome.status == 401, f"HTTP {outcome.status}, expected 401")
        probe.check(outcome, reply_due=False)


@pytest.mark.parametrize(("name", "body", "statuses", "oversized"), PUSH_BODIES, ids=[b[0] for b in PUSH_BODIES])
@pytest.mark.parametrize("channel", PUSH_CHANNELS)
def test_push_hostile_body(stack, record: CorpusRecord, wechat_api, channel: str, name: str,
                           body: Callable[[str, str], Any], statuses: tuple[int, ...], oversized: bool) -> None:
    with record.probe(f"push-{channel}", name, oversized) as probe:
        outcome = push(stack, channel, body(_recipient_key(channel), _push_recipient(channel)))
        probe.require(outcome.status in statuses, f"HTTP {outcome.status}, expected {statuses}: {outcome.body[:80]!r}")
        probe.check(outcome, reply_due=False)
        # The route still works for the next caller.
        after = push(stack, channel, {_recipient_key(channel): _push_recipient(channel), "text": "您好"})
        probe.require(after.status == 200, f"a valid push afterwards: HTTP {after.status}")
