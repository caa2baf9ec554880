from wechatpy.utils import WeChatSigner, check_signature

from bot.channels.wechat.signature import is_valid, sign


def test_signature_matches_wechats_algorithm():
    signer = WeChatSigner()
    signer.add_data("tok", "1700000000", "nonce-1")
    assert sign("tok", "1700000000", "nonce-1") == signer.signature
    check_signature("tok", sign("tok", "1700000000", "nonce-1"), "1700000000", "nonce-1")


def test_signature_is_order_independent_and_checked():
    good = sign("tok", "1700000000", "n")
    assert is_valid(good, "n", "tok", "1700000000")
    assert is_valid(good.upper(), "tok", "1700000000", "n")
    assert not is_valid(good, "tok", "1700000001", "n")
    assert not is_valid(None, "tok", "1700000000", "n")
    assert not is_valid(good, "tok", None, "n")
    assert not is_valid("", "tok", "1700000000", "n")
