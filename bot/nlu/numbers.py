"""Numbers as customers type them: Arabic digits or Chinese numerals (两千, 三千五, 一点五, 半)."""

from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_UNITS) + "万点"


def _below_ten_thousand(text: str) -> int | None:
    total, digit, last_unit = 0, None, None
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            unit = _UNITS[char]
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    if digit is not None:
        # "三千五" means 3500: a trailing digit after a unit counts one unit lower.
        total += digit * (last_unit // 10 if last_unit and last_unit >= 100 and text[-2] in _UNITS else 1)
    return total


def parse_chinese_number(text: str) -> float | None:
    """Value of a Chinese numeral ("两千" → 2000, "一万二" → 12000, "一点五" → 1.5); None if not one."""
    if not text or text == "点":
        return None
    integer_part, _, fraction_part = text.partition("点")
    if fraction_part and any(c not in _DIGITS for c in fraction_part):
        return None
    if "万" in integer_part:
        high, _, low = integer_part.partition("万")
        high_value = _below_ten_thousand(high) if high else 1
        if high_value is None:
            return None
        if len(low) == 1 and low in _DIGITS:
            low_value = _DIGITS[low] * 1000  # "一万二" = 12000
        else:
            low_value = _below_ten_thousand(low) if low else 0
        if low_value is None:
            return None
        value = float(high_value * 10000 + low_value)
    else:
        parsed = _below_ten_thousand(integer_part) if integer_part else 0
        if parsed is None:
            return None
        value = float(parsed)
    if fraction_part:
        value += float("0." + "".join(str(_DIGITS[c]) for c in fraction_part))
    return value


def parse_number(text: str) -> float | None:
    """Arabic ("2.5", "1,000", "１０") or Chinese numeral; "半" alone is 0.5."""
    cleaned = text.strip().replace(",", "").replace("，", "")
    cleaned = cleaned.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    if cleaned == "半":
        return 0.5
    try:
        return float(cleaned)
    except ValueError:
        return parse_chinese_number(cleaned)


def format_number(value: float) -> str:
    """Shortest decimal string: 3.0 → "3", 2.50 → "2.5", 0.25 → "0.25"."""
    text = f"{round(value, 3):.3f}".rstrip("0").rstrip(".")
    return text or "0"
