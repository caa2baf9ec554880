"""Money and form-answer parsing shared by the flows (phones: tests/bot/vocabulary/test_phones.py)."""

from __future__ import annotations

from decimal import Decimal

from actions.common import format_fen
from actions.forms_common import cities_in_text, looks_like_question, parse_dimensions, parse_weight_kg


def test_money_is_shown_in_yuan_with_two_decimals() -> None:
    assert format_fen(1250) == "¥12.50"
    assert format_fen(8800) == "¥88.00"
    assert format_fen(5) == "¥0.05"
    assert format_fen(None) == "—"


def test_form_answers_are_parsed() -> None:
    assert parse_weight_kg("十斤") == Decimal(5)
    assert parse_weight_kg("两公斤半") in (Decimal(2), Decimal("2.5"))
    assert parse_weight_kg("保价3000块") is None and parse_weight_kg("5公斤，保价¥800") == Decimal(5)
    assert parse_dimensions("0.4x0.3x0.3米") == (40, 30, 30)
    assert parse_dimensions("没量过") is None
    assert cities_in_text("從廣州市寄到上海") == ["广州", "上海"]
    assert looks_like_question("充电宝能寄吗") and not looks_like_question("标准")
