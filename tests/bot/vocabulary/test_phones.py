"""Mainland, Taiwan and Hong Kong mobiles: one normaliser, finder and mask for actions, NLU, backend and console."""

import pytest

from bot.backend.privacy import mask_phone as backend_mask_phone
from bot.nlu.entity_rules import extract_rule_entities
from bot.pii import mask_text
from bot.vocabulary.phones import (
    first_mobile,
    is_mobile,
    mask_mobiles_in_text,
    mask_phone,
    mobiles_in,
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


@pytest.mark.parametrize(("raw", "stored"), [
    ("0912345678", "+886912345678"), ("0912-345-678", "+886912345678"), ("+886 912 345 678", "+886912345678"),
    ("00886912345678", "+886912345678"), ("886987654321", "+886987654321"), ("０９１２３４５６７８", "+886912345678"),
    ("91234567", "+85291234567"), ("9123 4567", "+85291234567"), ("+852 5123-4567", "+85251234567"),
    ("(852) 6123 4567", "+85261234567"), ("0085291234567", "+85291234567"),
])
def test_taiwan_and_hong_kong_mobiles_are_stored_with_their_country_code(raw, stored):
    assert normalise_mobile(raw) == stored and is_mobile(raw)


@pytest.mark.parametrize("raw", [
    "0212345678",        # Taiwan landline (Taipei), not a mobile
    "091234567",         # one digit short
    "+886 0912 345 678",  # the trunk 0 after the country code
    "21234567",          # Hong Kong landline: the forms want a mobile
    "41234567",          # no Hong Kong mobile starts with 4 in the numbering plan
    "+852 9123 456",     # one digit short
    "+85291234567 转 2",  # every digit counts
    "+1 912 345 6789",
    "+8613812345678 8",
])
def test_other_numbers_are_not_mobiles(raw):
    assert normalise_mobile(raw) is None


def test_taiwan_and_hong_kong_mobiles_found_in_text_by_the_actions_and_the_nlu():
    text = "香港电话 +852 9123 4567，台湾的是 0912-345-678"
    assert [found for _start, _end, found in mobiles_in(text)] == [
        "+85291234567", "+886912345678"]
    assert first_mobile("手机9123 4567") == "+85291234567"
    assert [e.value for e in extract_rule_entities("电话0912345678") if e.entity == "phone"] == ["+886912345678"]
    # A ticket number read out in groups of four is not a Hong Kong phone, nor is a date.
    assert first_mobile("投诉单 CP 5839 2017 4465") is None
    assert first_mobile("日期 20261206") is None


def test_taiwan_and_hong_kong_mobiles_are_masked_when_shown_and_in_logs():
    assert mask_phone("+886912345678") == "+886 912***678" == backend_mask_phone("+886912345678")
    assert mask_phone("+85291234567") == "+852 9***4567"
    assert mask_phone("13812345678") == "138****5678"  # the mainland's stays as it was
    line = "GET /customers/+886912345678 /customers/%2B85291234567 sms 0912 345 678 to 9123-4567"
    masked = mask_mobiles_in_text(line)
    assert masked == "GET /customers/+886912***678 /customers/%2B8529***4567 sms 0912***678 to 9***4567"
    assert mask_text(line) == masked


@pytest.mark.parametrize("raw", ["13812345678", "+86 139 0000 1111", "0912345678", "+886 987 654 321",
                                 "91234567", "+852 5123 4567", "６１２３４５６７"])
def test_every_number_a_form_accepts_is_masked_in_the_logs(raw):
    stored = normalise_mobile(raw)
    assert stored
    national = stored.removeprefix("+886").removeprefix("+852")
    for written in (raw, stored, f"电话{raw}。", f"phone={stored}"):
        masked = mask_text(written.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
        assert national not in masked.replace(" ", "").replace("-", "")


def test_the_backend_stores_taiwan_and_hong_kong_mobiles_and_still_mainland_landlines():
    from bot.backend.schemas import normalize_phone

    assert normalize_phone("0912-345-678") == "+886912345678"
    assert normalize_phone("+852 9123 4567") == "+85291234567"
    assert normalize_phone("+86 138 1234 5678") == "13812345678"
    assert normalize_phone("021-62345678") == "02162345678"
    with pytest.raises(ValueError):
        normalize_phone("+852 2123 456")
