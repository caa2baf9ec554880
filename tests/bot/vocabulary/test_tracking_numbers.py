"""Tracking-number formats, one definition for the backend, the actions and the NLU's rules."""

import pytest

from actions.ticket_text import TRACKING_RE
from actions.tracking import is_valid_tracking_number
from bot.backend.errors import ApiError
from bot.backend.services.tracking import normalize_tracking_number
from bot.nlu.entity_rules import extract_rule_entities
from bot.vocabulary import tracking_numbers

VALID = ["ZT123456789012", "SF123456789012", "SF1234567890123", "JD1234567890", "JDV0123456789",
         "YT1234567890123", "123456789012", "123456789012345"]
INVALID = ["ZT12345678901", "ZT1234567890123", "YT123456789012", "AB123456789012", "12345678901",
           "1234567890123456", "ＺＴ１２３４５６７８９０１２", ""]


@pytest.mark.parametrize("number", VALID)
def test_every_caller_accepts_the_formats(number):
    assert tracking_numbers.normalise(number.lower()) == number
    assert is_valid_tracking_number(number)
    assert normalize_tracking_number(number) == number
    assert TRACKING_RE.search(f"单号{number}，谢谢").group(1).upper() == number
    assert [e.value for e in extract_rule_entities(f"查 {number}") if e.entity == "tracking_number"] == [number]


@pytest.mark.parametrize("number", INVALID)
def test_every_caller_refuses_other_numbers(number):
    assert not tracking_numbers.is_valid(number)
    assert not is_valid_tracking_number(number)
    with pytest.raises(ApiError):
        normalize_tracking_number(number)


def test_spaces_and_dashes_are_noise():
    assert tracking_numbers.normalise(" sf 1234-5678-9012 ") == "SF123456789012"
