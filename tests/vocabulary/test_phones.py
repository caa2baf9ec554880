"""Mainland mobiles: one normaliser, finder and mask for actions, NLU, backend and console."""

import pytest

from bot.backend.privacy import mask_phone as backend_mask_phone
from bot.nlu.entity_rules import extract_rule_entities
from bot.pii import mask_text
from bot.vocabulary.phones import (
    first_mobile,
    is_mobile,
    mask_mobiles_in_text,
    mask_phone,
    normalise_mobile,
)


@pytest.mark.parametrize("raw", ["13812345678", "138-1234-5678", "138 1234 5678", "+86 138-1234-5678",
                                 "008613812345678", "8613812345678", "１３８１２３４５６７８"])
def test_normalise(raw):
    assert normalise_mobile(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["12345", "12812345678", "1381234567", "138 1234 5678 转 2", None, ""])
def test_not_a_mobile(raw):
    assert normalise_mobile(raw) is None and not is_mobile(raw)


def test_found_in_text_by_the_actions_and_the_nlu():
    text = "我的电话是 +86 139-0000-1111，单号ZT123456789012"
    assert first_mobile(text) == "13900001111"
    assert [e.value for e in extract_rule_entities(text) if e.entity == "phone"] == ["13900001111"]
    assert first_mobile("单号 123456789012") is None


def test_masking():
    assert mask_phone("13812345678") == "138****5678" == backend_mask_phone("13812345678")
    assert mask_text("电话13812345678") == "电话138****5678"
    assert mask_phone(None) is None and mask_phone("") == ""
    assert mask_mobiles_in_text("call 13812345678 or +86 139-0000-1111") == "call 138****5678 or +86 139****1111"
