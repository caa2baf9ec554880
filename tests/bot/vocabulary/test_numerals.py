"""Numbers as customers write them, read once (cn2an) for every caller: the NLU's rules, quotes and claims."""

from decimal import Decimal

import pytest

from actions.common import format_fen
from actions.forms_common import parse_weight_kg as form_weight
from bot.nlu.entity_rules import extract_rule_entities
from bot.vocabulary.numerals import (
    format_number,
    parse_chinese_number,
    parse_number,
    parse_weight_kg,
    parse_yuan_to_fen,
    weights_in,
)


@pytest.mark.parametrize(("text", "value"), [
    ("三千五", 3500), ("两千", 2000), ("一万二", 12000), ("一点五", 1.5), ("两", 2), ("俩", 2), ("十五", 15),
    ("一千零五", 1005), ("三百五", 350), ("点五", 0.5),
])
def test_chinese_numerals(text, value):
    assert parse_chinese_number(text) == value


@pytest.mark.parametrize(("text", "value"), [
    ("2千", 2000), ("1.5万", 15000), ("１０", 10), ("1,000", 1000), ("半", 0.5), ("三千五", 3500),
])
def test_mixed_and_arabic_numerals(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "点", "几", "abc", "十十"])
def test_not_numbers(text):
    assert parse_number(text) is None


def test_three_thousand_five_is_the_same_amount_for_every_caller():
    """The issue's disagreement: the claim form read 三千五 as ¥3,005 while the NLU read 3500."""
    assert parse_yuan_to_fen("三千五") == 350000
    assert format_fen(parse_yuan_to_fen("大概三千五")) == "¥3500.00"
    amounts = [e.value for e in extract_rule_entities("保价三千五元") if e.entity == "amount"]
    assert amounts == ["3500"]


@pytest.mark.parametrize(("text", "fen"), [
    ("2000", 200000), ("大概1,500.5元", 150050), ("2千", 200000), ("1.5万", 1500000), ("两千五百", 250000),
    ("¥800", 80000), ("一万二", 1200000),
])
def test_money_in_fen(text, fen):
    assert parse_yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["不知道", "", None])
def test_no_money(text):
    assert parse_yuan_to_fen(text) is None


@pytest.mark.parametrize(("text", "kg"), [
    ("1.5公斤", "1.5"), ("一斤半", "0.75"), ("十斤", "5"), ("500克", "0.5"), ("半斤", "0.25"), ("两公斤", "2"),
    ("3KG", "3"), ("5", "5"),
])
def test_weights_in_kilograms(text, kg):
    assert parse_weight_kg(text) == Decimal(kg)


def test_weights_agree_between_the_nlu_and_the_quote_form():
    for text in ("一斤半", "1.5公斤", "三公斤", "十斤"):
        nlu = [e.value for e in extract_rule_entities(text) if e.entity == "weight"]
        assert nlu == [format_number(float(form_weight(text)))], text
    assert [kg for *_, kg in weights_in("两箱，每箱一斤半")] == [Decimal("0.75")]


def test_money_is_no_weight():
    assert form_weight("保价3000块") is None and form_weight("5公斤，保价¥800") == Decimal(5)
