"""Clients that deliver hostile input the way an attacker would, and return an `Outcome` instead of raising.

- `post`: any HTTP request (REST webhook, push routes), raw or JSON, with the answer's status and body;
- `SocketChat`: a web chat customer over socket.io (python-socketio's client, polling like the page's
  fallback), able to emit payloads of any type;
- `WeChatRaw`: WeChat's side with raw bytes, so bodies UTF-8 cannot encode (lone surrogates) or that are
  not XML at all can be signed, encrypted and posted.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import time
import uuid
from typing import Any

import requests
import socketio
from wechatpy.utils import WeChatSigner

from tests.hostile_probe import Outcome
from tests.wechat_side import ACCOUNT, WeChatServer

FIRST_REPLY_S = 15.0  # a normal turn takes well under this even on a busy two-core machine
NO_REPLY_WAIT_S = 1.0  # how long to listen for an optional note after a malformed payload
QUIET_S = 0.8  # a reply may come in several messages: collect until none arrived for this long
_UNSET: Any = object()
# engine.io's client logs from its own threads; a read loop still waiting on a long poll after an aborted
# disconnect would log into pytest's closed streams at exit.
_ENGINEIO_LOG = logging.getLogger("tests.hostile_clients.engineio")
_ENGINEIO_LOG.addHandler(logging.NullHandler())
_ENGINEIO_LOG.propagate = False


def post(url: str, *, json_body: Any = _UNSET, data: bytes | str | dict[str, str] | None = None,
         headers: dict[str, str] | None = None, params: dict[str, str] | None = None,
         timeout: float = 30.0) -> Outcome:
    """POST and keep the answer; a JSON body is encoded as `requests` does (lone surrogates as \\u escapes)."""
    started = time.monotonic()
    try:
        if json_body is not _UNSET:
            response = requests.post(url, json=json_body, headers=headers, params=params, timeout=timeout)
        else:
            response = requests.post(url, data=data, headers=headers, params=params, timeout=timeout)
    except requests.RequestException as exc:
        return Outcome(error=type(exc).__name__, seconds=time.monotonic() - started)
    return Outcome(status=response.status_code, body=response.text, seconds=time.monotonic() - started)


def rest_replies(outcome: Outcome) -> Outcome:
    """The REST webhook's answer with its bot messages read into `replies`."""
    if outcome.status == 200:
        try:
            messages = json.loads(outcome.body)
        except ValueError:
            messages = None
        if not isinstance(messages, list):
            outcome.error = f"200 with a body that is not a list of messages: {outcome.body[:80]!r}"
        else:
            outcome.replies = [message_text(message) for message in messages]
    return outcome


def message_text(message: Any) -> str:
    """What the customer sees of one bot message (text, else a stand-in for an image or custom payload)."""
    if not isinstance(message, dict):
        return ""
    if isinstance(message.get("text"), str) and message["text"].strip():
        return message["text"]
    for kind in ("image", "attachment", "custom"):
        if message.get(kind):
            return f"[{kind}]"
    return ""


class SocketChat:
    """One web chat customer; `say` emits any payload as the page's `user_uttered` event."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = socketio.Client(reconnection=False, engineio_logger=_ENGINEIO_LOG)
        self.inbox: queue.Queue = queue.Queue()
        self.confirmations: queue.Queue = queue.Queue()
        self.client.on("bot_uttered", self.inbox.put)
        self.client.on("session_confirm", self.confirmations.put)

    def connect(self) -> None:
        """Connect without asking for a session (a client that skips `session_request`)."""
        # Polling only: this aiohttp is older than python-engineio's websocket client expects.
        self.client.connect(self.url, transports=["polling"], wait_timeout=10)

    def open(self, request: Any = _UNSET) -> Any:
        """Connect and ask for a session (the page's `{"session_id": null}` unless `request` says otherwise)."""
        self.connect()
        self.client.emit("session_request", {"session_id": None} if request is _UNSET else request)
        return self.confirmations.get(timeout=10)

    def say(self, payload: Any, reply_due: bool = True, quiet: float = QUIET_S) -> Outcome:
        """Emit `payload` and gather the reply; `seconds` is the time to its first message.

        `quiet`: how long to keep listening for more parts once one arrived (shorter where one part is enough).
        """
        while not self.inbox.empty():
            self.inbox.get_nowait()
        started = time.monotonic()
        try:
            self.client.emit("user_uttered", payload)
        except socketio.exceptions.SocketIOError as exc:
            return Outcome(error=f"emit failed: {type(exc).__name__}", seconds=time.monotonic() - started)
        replies, first_at = self._collect(FIRST_REPLY_S if reply_due else NO_REPLY_WAIT_S, quiet)
        seconds = (first_at or time.monotonic()) - started
        if not self.client.connected:
            return Outcome(error="the server dropped the connection", seconds=seconds)
        return Outcome(replies=[message_text(reply) for reply in replies], seconds=seconds)

    def _collect(self, first_wait: float, quiet: float) -> tuple[list[Any], float | None]:
        try:
            received = [self.inbox.get(timeout=first_wait)]
        except queue.Empty:
            return [], None
        first_at = time.monotonic()
        deadline = first_at + 8.0
        while time.monotonic() < deadline:
            try:
                received.append(self.inbox.get(timeout=quiet))
            except queue.Empty:
                break
        return received, first_at

    def close(self) -> None:
        """Hang up at once: a plain disconnect waits for the pending long poll, up to 30 s on this server."""
        if self.client.connected:
            # engine.io's CLOSE packet ends the session on the server; the read loop (a daemon thread) ends
            # when its long poll returns, without anyone waiting for it.
            self.client.eio.disconnect(abort=True)

    def __enter__(self) -> SocketChat:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def text_xml_bytes(openid: str, content: str, msg_id: str, msg_type: str = "text") -> bytes:
    """A text message as WeChat posts it, encoded as an attacker would send text UTF-8 cannot hold."""
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    ).encode("utf-8", "surrogatepass")


class WeChatRaw:
    """WeChat's side (tests/wechat_side.py) for bodies given as bytes, with signatures that can be spoiled."""

    def __init__(self, server: WeChatServer) -> None:
        self.server = server

    def sign(self, timestamp: str, nonce: str, *extra: str) -> str:
        signer = WeChatSigner()
        signer.add_data(self.server.token, timestamp, nonce, *extra)
        return signer.signature

    def post(self, body: bytes, *, aes: bool = False, openid: str = "", params: dict[str, str] | None = None,
             encrypt: str | None = None, age_s: int = 0) -> tuple[Outcome, requests.Response | None]:
        """Sign (and with `aes` encrypt) `body` and post it; `params` overrides the signed query.

        `age_s` signs the request as if WeChat had sent it that many seconds ago (a replay).
        """
        nonce = uuid.uuid4().hex[:10]
        timestamp = str(int(time.time()) - age_s)
        query = {"signature": self.sign(timestamp, nonce), "timestamp": timestamp, "nonce": nonce, "openid": openid}
        if aes:
            envelope = self.server.crypto.encrypt_message(body, nonce, query["timestamp"])
            encrypted = re.search(r"<Encrypt><!\[CDATA\[(.+?)\]\]></Encrypt>", envelope).group(1)
            signature = re.search(r"<MsgSignature><!\[CDATA\[(\w+)\]\]>", envelope).group(1)
            if encrypt is not None:  # a chosen ciphertext, correctly signed
                encrypted = encrypt
                signature = self.sign(timestamp, nonce, encrypt)
            query.update({"encrypt_type": "aes", "msg_signature": signature})
            body = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                    f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>").encode()
        query.update(params or {})
        started = time.monotonic()
        try:
            response = requests.post(self.server.url, params=query, data=body,
                                     headers={"Content-Type": "text/xml"}, timeout=30)
        except requests.RequestException as exc:
            return Outcome(error=type(exc).__name__, seconds=time.monotonic() - started), None
        outcome = Outcome(status=response.status_code, body=response.text,
                          seconds=time.monotonic() - started, json_explanations=False)
        return outcome, response

    def converse(self, openid: str, body: bytes, *, aes: bool = False, reply_due: bool = True,
                 **spoil: Any) -> Outcome:
        """Post a message and gather the customer's reply: passive, or through the customer-service API.

        `spoil` passes `params`, `encrypt` or `age_s` on to `post`.
        """
        api = self.server.api
        before = len(api.texts_to(openid))
        outcome, response = self.post(body, aes=aes, openid=openid, **spoil)
        if response is None or response.status_code != 200:
            return outcome
        passive = self.server.passive_text(response, aes)
        if passive is not None:
            outcome.replies = [passive]
            return outcome
        texts = api.wait_for_texts(openid, before + 1, timeout=FIRST_REPLY_S if reply_due else NO_REPLY_WAIT_S)
        if len(texts) > before:
            time.sleep(QUIET_S)  # a long reply comes in several parts
        outcome.replies = api.texts_to(openid)[before:]
        return outcome
