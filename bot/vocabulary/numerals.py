"""Numbers as customers type them: Arabic, Chinese (两千, 三千五, 一点五, 半) or mixed (2千, 1.5万), read by cn2an.

The one place that turns such text into a value: the NLU's entity rules, the quote form's weights and the claim
form's amounts all read numbers here, so "三千五" is 3500 (¥3,500.00) wherever it is typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

import cn2an

# Characters a Chinese numeral is written with (the NLU's rules match runs of them).
CN_NUMERAL_CHARS = "零〇一二两俩三四五六七八九十百千万点"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


def parse_chinese_number(text: str) -> float | None:
    """Value of a Chinese numeral ("两千" → 2000, "三千五" → 3500, "一万二" → 12000, "一点五" → 1.5); None if not one."""
    text = (text or "").replace("俩", "两")
    if text.startswith("点"):
        text = "零" + text  # "点五" = 0.5
    if not text or text == "零点":
        return None
    try:
        return float(cn2an.cn2an(text, "normal"))
    except (ValueError, KeyError, IndexError):
        return None


def parse_number(text: str) -> float | None:
    """Arabic ("2.5", "1,000", "１０"), Chinese ("三千五") or mixed ("2千", "1.5万") numeral; "半" alone is 0.5."""
    cleaned = (text or "").strip().replace(",", "").replace("，", "").translate(_FULL_WIDTH)
    if cleaned == "半":
        return 0.5
    try:
        return float(cleaned)
    except ValueError:
        pass
    value = parse_chinese_number(cleaned)
    if value is None and re.search(r"\d", cleaned):
        try:
            value = float(cn2an.cn2an(cleaned, "smart"))
        except (ValueError, KeyError, IndexError):
            return None
    return value


def format_number(value: float) -> str:
    """Shortest decimal string: 3.0 → "3", 2.50 → "2.5", 0.25 → "0.25"."""
    text = f"{round(value, 3):.3f}".rstrip("0").rstrip(".")
    return text or "0"


# ---- money ---------------------------------------------------------------------------------------------------
_ARABIC_AMOUNT = re.compile(r"(\d+(?:\.\d{1,2})?)\s*(万|千|k|K|百)?")
_CHINESE_AMOUNT = re.compile(r"[零一二两三四五六七八九十百千万]+")
_AMOUNT_MULTIPLIERS = {"万": 10000, "千": 1000, "k": 1000, "K": 1000, "百": 100}


def parse_yuan_to_fen(text: object) -> int | None:
    """"2000" / "2000元" / "¥1,500.5" / "2千" / "1.5万" / "两千" / "三千五" → fen; None when no amount is given.

    An Arabic amount anywhere in the text wins over a Chinese numeral ("第二次，2000元" is ¥2,000)."""
    cleaned = str(text or "").replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    cleaned = cleaned.translate(_FULL_WIDTH)
    found = _ARABIC_AMOUNT.search(cleaned)
    if found:
        yuan = float(found.group(1)) * _AMOUNT_MULTIPLIERS.get(found.group(2) or "", 1)
        return int(round(yuan * 100))
    chinese = _CHINESE_AMOUNT.search(cleaned)
    if chinese:
        value = parse_chinese_number(chinese.group(0))
        return int(round(value * 100)) if value else None
    return None


# ---- weights -------------------------------------------------------------------------------------------------
# How many of a unit make a kilogram ("斤" is half a kilogram).
UNITS_PER_KG = {"公斤": Decimal(1), "千克": Decimal(1), "kg": Decimal(1), "kgs": Decimal(1),
                "斤": Decimal(2), "克": Decimal(1000), "g": Decimal(1000)}
WEIGHT_UNITS = r"公斤|千克|kgs?|斤|克|g"
_NUMBER = rf"\d+(?:\.\d+)?|[{CN_NUMERAL_CHARS}]+"
# "5公斤", "2.5kg", "十斤", "500克", "半斤", "一斤半" (a 半 after the unit adds half a unit).
WEIGHT_RE = re.compile(rf"({_NUMBER}|半)\s*({WEIGHT_UNITS})(半)?(?![a-zA-Z])", re.I)


def _to_decimal(value: float) -> Decimal:
    return Decimal(format_number(value))


def weights_in(text: str) -> Iterator[tuple[int, int, Decimal]]:
    """(start, end, kilograms) of every weight with a unit in `text`: "一斤半" → 0.75, "1.5公斤" → 1.5."""
    for match in WEIGHT_RE.finditer(text):
        value = parse_number(match.group(1))
        if value is None:
            continue
        number = _to_decimal(value) + (Decimal("0.5") if match.group(3) else 0)
        yield match.start(), match.end(), number / UNITS_PER_KG[match.group(2).lower()]


_BARE_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def parse_weight_kg(text: str) -> Decimal | None:
    """Kilograms in a customer's answer: the first weight with a unit ("5公斤" "10斤" "500克" "一斤半"), else a bare
    Arabic number ("5"), which the quote form asks for in kilograms."""
    for _start, _end, kg in weights_in(text):
        return kg
    found = _BARE_NUMBER.search(text.translate(_FULL_WIDTH))
    return Decimal(found.group(0)) if found else None
