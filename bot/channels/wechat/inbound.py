"""Checking that a request really comes from WeChat, and opening (or sealing) its message.

Nothing is parsed before the signature is checked, and nothing reaches the assistant unless both the
signature and the body are acceptable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from bot.channels.wechat import xml
from bot.channels.wechat.crypto import CryptoError, MessageCrypto
from bot.channels.wechat.signature import is_valid, sign

logger = logging.getLogger(__name__)

MAX_OPENID_CHARS = 100


class Rejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _arg(args: Mapping[str, object], name: str) -> str | None:
    value = args.get(name)
    if isinstance(value, list):  # sanic's raw query dict maps names to lists
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def verify_echo(token: str, crypto: MessageCrypto | None, args: Mapping[str, object]) -> str:
    """The echostr to answer WeChat's server-verification GET with."""
    timestamp, nonce, echostr = _arg(args, "timestamp"), _arg(args, "nonce"), _arg(args, "echostr")
    if not token or echostr is None:
        raise Rejected(403, "verification without token or echostr")
    msg_signature = _arg(args, "msg_signature")
    if msg_signature and crypto is not None:
        # Safe-mode verification: the echostr itself is encrypted and covered by msg_signature.
        if not is_valid(msg_signature, token, timestamp, nonce, echostr):
            raise Rejected(403, "bad msg_signature on verification")
        try:
            return crypto.decrypt(echostr)
        except CryptoError as exc:
            raise Rejected(403, f"echostr does not decrypt: {exc}") from exc
    if not is_valid(_arg(args, "signature"), token, timestamp, nonce):
        raise Rejected(403, "bad signature on verification")
    return echostr


def open_message(
    token: str,
    crypto: MessageCrypto | None,
    args: Mapping[str, object],
    body: bytes,
    accept_plaintext: bool = True,
    max_age_s: float | None = None,
) -> tuple[dict[str, str], bool]:
    """The message's fields and whether it came encrypted (the reply must then be encrypted too).

    `max_age_s`: requests signed longer ago are refused — a replay older than the dedupe window would
    otherwise be processed again.
    """
    timestamp, nonce = _arg(args, "timestamp"), _arg(args, "nonce")
    if not token or not is_valid(_arg(args, "signature"), token, timestamp, nonce):
        raise Rejected(403, "bad signature")
    if max_age_s is not None and not _fresh(timestamp, max_age_s):
        raise Rejected(403, "stale or malformed timestamp")
    encrypted = (_arg(args, "encrypt_type") or "raw").lower() == "aes"
    if not encrypted and not accept_plaintext:
        # In safe mode the plaintext signature does not cover the body: only encrypted bodies count.
        raise Rejected(403, "plaintext message while safe mode is configured")
    if encrypted and crypto is None:
        raise Rejected(400, "encrypted message but no EncodingAESKey configured")
    try:
        fields = xml.parse(body)
    except xml.RejectedXml as exc:
        raise Rejected(400, str(exc)) from exc
    if encrypted:
        fields = _decrypt(token, crypto, args, fields)  # type: ignore[arg-type]
    if not fields.get("FromUserName") or not fields.get("MsgType"):
        raise Rejected(400, "message without FromUserName or MsgType")
    if len(fields["FromUserName"]) > MAX_OPENID_CHARS:
        # The conversation id is "wx:" + openid and must fit the handoff store (WeChat's openids are 28).
        raise Rejected(400, "FromUserName too long")
    return fields, encrypted


def _fresh(timestamp: str | None, max_age_s: float) -> bool:
    try:
        return abs(time.time() - int(timestamp or "")) <= max_age_s
    except ValueError:
        return False


def _decrypt(token: str, crypto: MessageCrypto, args: Mapping[str, object], envelope: dict[str, str]) -> dict[str, str]:
    encrypt = envelope.get("Encrypt")
    if not encrypt:
        raise Rejected(400, "encrypted message without Encrypt")
    timestamp, nonce = _arg(args, "timestamp"), _arg(args, "nonce")
    if not is_valid(_arg(args, "msg_signature"), token, timestamp, nonce, encrypt):
        raise Rejected(403, "bad msg_signature")
    try:
        return xml.parse(crypto.decrypt(encrypt).encode("utf-8"))
    except CryptoError as exc:
        raise Rejected(400, f"message does not decrypt: {exc}") from exc
    except xml.RejectedXml as exc:
        raise Rejected(400, f"decrypted message: {exc}") from exc


def seal_reply(token: str, crypto: MessageCrypto, reply_xml: str, nonce: str) -> str:
    """Encrypt and sign a passive reply for safe mode."""
    encrypt = crypto.encrypt(reply_xml)
    timestamp = str(int(time.time()))
    return xml.encrypted_envelope(encrypt, sign(token, timestamp, nonce, encrypt), timestamp, nonce)
