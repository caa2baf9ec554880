import base64
import os

import pytest
from wechatpy.crypto import PrpCrypto

from bot.channels.wechat.crypto import CryptoError, MessageCrypto

APP_ID = "wx1234567890abcdef"
KEY = base64.b64encode(os.urandom(32)).decode()[:-1]


def _wechat_side() -> PrpCrypto:
    return PrpCrypto(base64.b64decode(KEY + "="))


def test_key_must_be_43_characters_of_base64():
    with pytest.raises(ValueError):
        MessageCrypto("short", APP_ID)
    with pytest.raises(ValueError):
        MessageCrypto("!" * 43, APP_ID)


@pytest.mark.parametrize("text", ["<xml><Content><![CDATA[你好]]></Content></xml>", "", "x" * 31, "y" * 32, "😀" * 100])
def test_round_trip_with_wechats_implementation(text):
    ours = MessageCrypto(KEY, APP_ID)
    assert _wechat_side().decrypt(ours.encrypt(text), APP_ID) == text
    assert ours.decrypt(_wechat_side().encrypt(text, APP_ID).decode()) == text


def test_each_encryption_uses_fresh_random_prefix():
    ours = MessageCrypto(KEY, APP_ID)
    assert ours.encrypt("同一句话") != ours.encrypt("同一句话")


def test_message_for_another_app_is_refused():
    theirs = _wechat_side().encrypt("hello", "wx-other-app").decode()
    with pytest.raises(CryptoError):
        MessageCrypto(KEY, APP_ID).decrypt(theirs)


def test_wrong_key_tampering_and_garbage_are_refused():
    ciphertext = MessageCrypto(KEY, APP_ID).encrypt("hello")
    other_key = base64.b64encode(os.urandom(32)).decode()[:-1]
    with pytest.raises(CryptoError):
        MessageCrypto(other_key, APP_ID).decrypt(ciphertext)
    raw = bytearray(base64.b64decode(ciphertext))
    raw[-1] ^= 0xFF
    with pytest.raises(CryptoError):
        MessageCrypto(KEY, APP_ID).decrypt(base64.b64encode(bytes(raw)).decode())
    for garbage in ["", "not base64!!", base64.b64encode(b"123").decode()]:
        with pytest.raises(CryptoError):
            MessageCrypto(KEY, APP_ID).decrypt(garbage)
