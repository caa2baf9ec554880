"""Mobile numbers of the mainland, Taiwan and Hong Kong: what one looks like, how a typed one is cleaned, how
it is shown masked, and every phone inside free text masked for the logs (bot/pii.py uses these patterns).

Customers write them whole (13812345678, 0912345678, 91234567), grouped (138-1234-5678, 0912 345 678,
9123 4567) or with the country code (+86 / 0086 / 86, +886, +852). Everywhere a phone is stored it is the bare
11 digits for the mainland and the international form for Taiwan and Hong Kong (+886912345678, +85291234567),
so the two can never be taken for one another. Shown to a customer or an agent a phone keeps its first and last
digits: 138****5678, +886 912***678, +852 9***4567. Whether a Taiwan or Hong Kong number is a mobile in use is
checked with Google's numbering plan (`phonenumbers`), since their allocated ranges change with each plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import phonenumbers

MOBILE = r"1[3-9][0-9]{9}"
_MOBILE_RE = re.compile(MOBILE)
# A mobile in free text: optional country code, digits whole or split by single spaces or dashes.
MOBILE_IN_TEXT = re.compile(
    r"(?<![0-9])(?:(?:\+|00)?86[\s-]?)?(1[3-9][0-9](?:[\s-]?[0-9]){8})(?![0-9])"
)
# Shapes less distinctive than a mainland mobile must also stand apart from letters, so hex ids and hashes keep
# their digits; "*" counts too, so an already masked number is never matched again as a shorter one.
_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z*])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z*])"
_SEP = r"[\s-]?"
# Taiwan mobile: 09xx xxx xxx, or +886 9xx xxx xxx (digits group 1).
TW_MOBILE_IN_TEXT = re.compile(
    _NOT_ALNUM_BEFORE + r"(?:(?:\+|%2[Bb]|00)?886" + _SEP + r"|0)(9[0-9]{2}" + _SEP + r"[0-9]{3}" + _SEP + r"[0-9]{3})"
    + _NOT_ALNUM_AFTER)
# Hong Kong mobile (5, 6 or 9 first), with +852 or without (digits group 1). Without the code the 8 digits
# must not be part of a longer run of digit groups: "CP 5839 2017 4465" is a ticket number, not a phone.
HK_MOBILE_IN_TEXT = re.compile(
    r"(?:" + _NOT_ALNUM_BEFORE + r"(?:\+|%2[Bb]|00)?852" + _SEP + r"|" + _NOT_ALNUM_BEFORE + r"(?<![0-9][\s-]))"
    r"([569][0-9]{3}" + _SEP + r"[0-9]{4})" + _NOT_ALNUM_AFTER + r"(?![\s-][0-9])")
# For the logs only: any Hong Kong or Macau number written with its code (landlines too; group 1 is the 8 digits).
HK_MO_CODED_IN_TEXT = re.compile(
    _NOT_ALNUM_BEFORE + r"(?:\+|%2[Bb]|00)?85[23]" + _SEP + r"([2-9][0-9]{3}" + _SEP + r"[0-9]{4})" + _NOT_ALNUM_AFTER)
# For the logs only: a bare 8-digit Hong Kong mobile anywhere, even beside other digit groups.
HK_BARE_IN_TEXT = re.compile(_NOT_ALNUM_BEFORE + r"([569][0-9]{3}" + _SEP + r"[0-9]{4})" + _NOT_ALNUM_AFTER)

_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－", "0123456789+-")
_NOISE = re.compile(r"[\s\-()（）.]")
TAIWAN, HONG_KONG = "+886", "+852"
_MOBILE_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def _in_use(international: str) -> bool:
    """Whether "+886…" / "+852…" is a mobile number in the current numbering plan."""
    try:
        number = phonenumbers.parse(international)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in _MOBILE_TYPES


def _taiwan(national: str) -> str | None:
    """"+8869xxxxxxxx" for the 9 digits after the 0 or the +886, when they are a Taiwan mobile."""
    international = TAIWAN + national
    return international if re.fullmatch(r"9[0-9]{8}", national) and _in_use(international) else None


def _hong_kong(national: str) -> str | None:
    international = HONG_KONG + national
    return international if re.fullmatch(r"[569][0-9]{7}", national) and _in_use(international) else None


def normalise_mobile(value: object) -> str | None:
    """The stored form of a mobile in `value`, else None: 11 digits for the mainland ("+86 138-1234-5678" →
    "13812345678"), the international form for Taiwan ("0912 345 678" → "+886912345678") and Hong Kong
    ("9123 4567" → "+85291234567").

    Every digit in `value` counts: "138 1234 5678 转 2" is not a mobile."""
    if value is None:
        return None
    text = _NOISE.sub("", str(value).translate(_FULL_WIDTH))
    if not re.fullmatch(r"\+?[0-9]+", text):
        return None
    plus, digits = text.startswith("+"), _digits(text)
    if not plus and digits.startswith("00"):
        plus, digits = True, digits[2:]
    for code in ("86", "886", "852"):
        if digits.startswith(code) and len(digits) == {"86": 13, "886": 12, "852": 11}[code]:
            national = digits[len(code):]
            if code == "86":
                return national if _MOBILE_RE.fullmatch(national) else None
            return _taiwan(national) if code == "886" else _hong_kong(national)
    if plus:
        return None
    if _MOBILE_RE.fullmatch(digits):
        return digits
    if len(digits) == 10 and digits.startswith("09"):
        return _taiwan(digits[1:])
    if len(digits) == 8:
        return _hong_kong(digits)
    return None


def is_mobile(value: object) -> bool:
    return normalise_mobile(value) is not None


def mobiles_in(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, stored form) of every mobile written in `text`, in order of place. A mainland number's span
    leaves out the country code; a Taiwan or Hong Kong one's holds it (it is part of the stored form)."""
    text = (text or "").translate(_FULL_WIDTH)
    found: list[tuple[int, int, str]] = []
    for match in MOBILE_IN_TEXT.finditer(text):
        found.append((match.start(1), match.end(1), re.sub(r"[\s-]", "", match.group(1))))
    for pattern, read in ((TW_MOBILE_IN_TEXT, _taiwan), (HK_MOBILE_IN_TEXT, _hong_kong)):
        for match in pattern.finditer(text):
            stored = read(_digits(match.group(1)))
            overlaps = any(start < match.end() and match.start() < end for start, end, _ in found)
            if stored and not overlaps:
                found.append((match.start(), match.end(), stored))
    yield from sorted(found)


def first_mobile(text: str) -> str | None:
    """The first mobile written in `text`, in its stored form."""
    return next((stored for _start, _end, stored in mobiles_in(text)), None)


def mask_phone(phone: str | None) -> str | None:
    """One phone number as shown to customers and agents: 138****5678, +886 912***678, +852 9***4567
    (None and "" stay as they are)."""
    if not phone:
        return phone
    digits = _digits(phone)
    if phone.startswith(TAIWAN) and len(digits) == 12:
        return f"{TAIWAN} {digits[3:6]}***{digits[-3:]}"
    if phone.startswith(HONG_KONG) and len(digits) == 11:
        return f"{HONG_KONG} {digits[3]}***{digits[-4:]}"
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****"


def _masked_group(kept_before: int, kept_after: int) -> Callable[[re.Match[str]], str]:
    """A replacement for `re.sub` that keeps what comes before group 1 (a country code) and masks group 1's
    digits but the first `kept_before` and the last `kept_after`."""
    def replace(match: re.Match[str]) -> str:
        digits = _digits(match.group(1))
        stars = "*" * (len(digits) - kept_before - kept_after)
        return match.group(0)[:match.start(1) - match.start()] + digits[:kept_before] + stars + digits[-kept_after:]

    return replace


# How each shape of phone is masked in free text: 0912***678 / +886 912***678, +852 9***4567 (landlines too,
# whatever the numbering plan says: a log must not show a number because its range is new), 9***4567.
MASK_TAIWAN = (TW_MOBILE_IN_TEXT, _masked_group(3, 3))
MASK_HK_MO_CODED = (HK_MO_CODED_IN_TEXT, _masked_group(1, 4))
MASK_HK_BARE = (HK_BARE_IN_TEXT, _masked_group(1, 4))


def mask_mobiles_in_text(text: str) -> str:
    """Every mobile inside free text (a log line, a URL) masked, country codes kept, the rest left as it is."""
    text = MOBILE_IN_TEXT.sub(
        lambda m: m.group(0)[:m.start(1) - m.start()] + (mask_phone(m.group(1)) or ""), text)
    for pattern, replace in (MASK_TAIWAN, MASK_HK_MO_CODED, MASK_HK_BARE):
        text = pattern.sub(replace, text)
    return text
