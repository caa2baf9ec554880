"""What a claim request already tells: the account that came with it, in either script."""

from __future__ import annotations

import pytest

from actions.claim_reading import account_in_request


@pytest.mark.parametrize("text, account", [
    ("申请理赔，箱子摔坏了，里面的花瓶值500元", "箱子摔坏了，里面的花瓶值500元"),
    ("申請理賠，箱子摔壞了，裡面的花瓶值500元", "箱子摔壞了，裡面的花瓶值500元"),
    ("我要索賠 少了兩件衣服 損失260塊", "少了兩件衣服 損失260塊"),
])
def test_the_account_after_the_request_is_taken(text: str, account: str) -> None:
    assert account_in_request(text) == account


@pytest.mark.parametrize("text", ["申请理赔", "申請理賠 ZT100000000007 破了", "我要理赔"])
def test_a_number_and_a_word_or_two_are_no_account(text: str) -> None:
    assert account_in_request(text) is None
