"""Rule extraction of formatted courier entities: numbers, ids, weights, sizes, money.

These have fixed shapes, so rules are more reliable than a learned tagger and give normalised values
(斤 → kg, "长30宽20高10" → "30x20x10", "两千块" → "2000"). Each rule returns candidate spans; overlaps
are resolved by rule priority, then by span length.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bot.vocabulary import phones, ticket_numbers, tracking_numbers
from bot.vocabulary.numerals import CN_NUMERAL_CHARS, format_number, parse_number, weights_in


@dataclass(frozen=True)
class RuleEntity:
    entity: str
    start: int
    end: int
    value: str
    priority: int

    def overlaps(self, other: RuleEntity) -> bool:
        return self.start < other.end and other.start < self.end


_NOT_ALNUM_BEFORE = r"(?<![A-Za-z0-9])"
_NOT_DIGIT_AFTER = r"(?![0-9])"
_CN_NUM = f"[{CN_NUMERAL_CHARS}]+"
_AR_NUM = r"\d+(?:\.\d+)?"
_NUM = f"(?:{_AR_NUM}|{_CN_NUM})"

_COMPLAINT_ID = ticket_numbers.in_text(ticket_numbers.COMPLAINT, ticket_numbers.LOOSE_BODY)
_CLAIM_ID = ticket_numbers.in_text(ticket_numbers.CLAIM, ticket_numbers.LOOSE_BODY)
# Digits may come in space- or dash-separated groups of three or more ("SF 1234 5678 9012").
_TRACKING_PREFIXED = re.compile(
    _NOT_ALNUM_BEFORE + r"(JDV|EMS|[A-Z]{2})[\s-]?(\d+(?:[\s-]\d{3,})*)" + _NOT_DIGIT_AFTER, re.I,
)
# Digit counts per carrier prefix (bot/vocabulary/tracking_numbers.py); other two-letter prefixes are taken with
# 10–15 digits, so that the tracking flow can tell the customer the format is wrong.
_OTHER_PREFIX_DIGITS = (10, 15)
# Unprefixed: 12–15 digits, written whole or read out in groups of four ("7734 5521 8890 12"); a phone's
# 3-4-4 grouping never matches the grouped form.
_TRACKING_BARE = re.compile(
    r"(?<![A-Za-z0-9])(\d{12,15}|\d{4}(?:[\s-]\d{4}){2}(?:[\s-]\d{1,3})?)(?![0-9])"
)
_SIZE_NUM = rf"({_AR_NUM})(?:\s*(?:cm|厘米|公分))?"
_DIMENSIONS_X = re.compile(
    rf"{_SIZE_NUM}\s*[x×X*＊✕乘]\s*{_SIZE_NUM}\s*[x×X*＊✕乘]\s*{_SIZE_NUM}",
)
_DIMENSIONS_LWH = re.compile(
    rf"长\s*[:：是为]?\s*({_NUM})\s*(?:cm|厘米|公分)?\s*[，,、/\s]*"
    rf"宽\s*[:：是为]?\s*({_NUM})\s*(?:cm|厘米|公分)?\s*[，,、/\s]*"
    rf"高\s*[:：是为]?\s*({_NUM})\s*(?:cm|厘米|公分)?",
    re.I,
)
_DIMENSIONS_LIST = re.compile(
    rf"长宽高\s*(?:分别)?\s*[:：是为]?\s*({_AR_NUM})\s*(?:cm|厘米|公分)?\s*[，,、/\s]+\s*"
    rf"({_AR_NUM})\s*(?:cm|厘米|公分)?\s*[，,、/\s]+\s*({_AR_NUM})\s*(?:cm|厘米|公分)?",
    re.I,
)
# 块 is also a measure word (两块玻璃): only money when nothing noun-like follows.
_AMOUNT_SUFFIXED = re.compile(
    rf"[¥￥]?\s*({_AR_NUM}|{_CN_NUM})\s*([万千wWkK])?\s*"
    r"(元|块钱|块(?=$|[^\u4e00-\u9fff]|[的了吗呢吧啊左多以上下钱]|人民币)|rmb|RMB|人民币)",
)
_AMOUNT_PREFIXED = re.compile(rf"(?:[¥￥]|人民币|RMB)\s*({_AR_NUM})\s*([万千wWkK])?", re.I)
_AMOUNT_CUED = re.compile(
    rf"(?:保价|价值|值|申报|赔偿?|索赔|金额|损失了?|花了|买的?时?|报价)\s*(?:了|是|为|大概|约|差不多)?\s*"
    rf"({_AR_NUM})\s*([万千wWkK])?(?![\d.]|\s*(?:公斤|千克|kg|斤|克|g|cm|厘米|x|×|\*|号|天|个|件|次|小时))",
    re.I,
)
_MULTIPLIERS = {"万": 10000, "w": 10000, "W": 10000, "千": 1000, "k": 1000, "K": 1000}


def _digits_only(text: str) -> str:
    return re.sub(r"[\s-]", "", text)


def _ids(text: str) -> Iterator[RuleEntity]:
    for pattern, entity in ((_COMPLAINT_ID, "complaint_id"), (_CLAIM_ID, "claim_id")):
        for match in pattern.finditer(text):
            yield RuleEntity(entity, match.start(1), match.end(1), match.group(1).upper(), 100)


def _tracking_digits(prefix: str, digits: str) -> str | None:
    """The digits that make a valid number for this prefix: all groups, else the first group alone."""
    low, high = tracking_numbers.CARRIER_DIGITS.get(prefix, _OTHER_PREFIX_DIGITS)
    joined = _digits_only(digits)
    if low <= len(joined) <= high:
        return digits
    first = re.split(r"[\s-]", digits)[0]
    return first if low <= len(first) <= high else None


def _tracking_numbers(text: str) -> Iterator[RuleEntity]:
    for match in _TRACKING_PREFIXED.finditer(text):
        prefix = match.group(1).upper()
        if prefix in ticket_numbers.PREFIXES:
            continue
        digits = _tracking_digits(prefix, match.group(2))
        if digits is None:
            continue
        end = match.start(2) + len(digits)
        value = prefix + _digits_only(digits)
        yield RuleEntity("tracking_number", match.start(1), end, value, 90)
    for match in _TRACKING_BARE.finditer(text):
        yield RuleEntity("tracking_number", match.start(1), match.end(1), _digits_only(match.group(1)), 85)


def _phones(text: str) -> Iterator[RuleEntity]:
    for start, end, digits in phones.mobiles_in(text):
        yield RuleEntity("phone", start, end, digits, 80)


def _weights(text: str) -> Iterator[RuleEntity]:
    for start, end, kg in weights_in(text):  # 一斤半 = 0.75 kg
        yield RuleEntity("weight", start, end, format_number(float(kg)), 60)


def _dimensions(text: str) -> Iterator[RuleEntity]:
    for pattern in (_DIMENSIONS_X, _DIMENSIONS_LWH, _DIMENSIONS_LIST):
        for match in pattern.finditer(text):
            sides = [parse_number(side) for side in match.groups()]
            if any(side is None or side <= 0 for side in sides):
                continue
            value = "x".join(format_number(side) for side in sides)
            yield RuleEntity("dimensions", match.start(), match.end(), value, 70)


def _scaled(number: str, multiplier: str | None) -> float | None:
    value = parse_number(number)
    if value is None:
        return None
    return value * _MULTIPLIERS.get(multiplier or "", 1)


def _amounts(text: str) -> Iterator[RuleEntity]:
    for pattern, priority in ((_AMOUNT_SUFFIXED, 55), (_AMOUNT_PREFIXED, 55), (_AMOUNT_CUED, 40)):
        for match in pattern.finditer(text):
            value = _scaled(match.group(1), match.group(2))
            if value is None or value <= 0:
                continue
            start = match.start(1) if pattern is _AMOUNT_CUED else match.start()
            yield RuleEntity("amount", start, match.end(), format_number(value), priority)


RULES: tuple[Callable[[str], Iterator[RuleEntity]], ...] = (
    _ids, _tracking_numbers, _phones, _dimensions, _weights, _amounts,
)


def extract_rule_entities(text: str) -> list[RuleEntity]:
    """Non-overlapping rule entities in text order; the higher-priority, then longer, span wins."""
    candidates = [entity for rule in RULES for entity in rule(text)]
    candidates.sort(key=lambda e: (-e.priority, -(e.end - e.start), e.start))
    chosen: list[RuleEntity] = []
    for candidate in candidates:
        if not any(candidate.overlaps(kept) for kept in chosen):
            chosen.append(candidate)
    return sorted(chosen, key=lambda e: e.start)
