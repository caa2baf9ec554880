"""Mainland mobile numbers: what one looks like, how a typed one is cleaned, and how it is shown masked.

Customers write them whole (13812345678), grouped (138-1234-5678, 138 1234 5678) or with the country code
(+86 / 0086 / 86). Everywhere a phone is stored it is the bare 11 digits; everywhere one is shown to a customer
or an agent it keeps its first 3 and last 4 digits (138****5678). Hong Kong and Taiwan numbers are recognised
only by the log masking (bot/pii.py) so far.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MOBILE = r"1[3-9][0-9]{9}"
_MOBILE_RE = re.compile(MOBILE)
# A mobile in free text: optional country code, digits whole or split by single spaces or dashes.
MOBILE_IN_TEXT = re.compile(
    r"(?<![0-9])(?:(?:\+|00)?86[\s-]?)?(1[3-9][0-9](?:[\s-]?[0-9]){8})(?![0-9])"
)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋", "0123456789+")


def normalise_mobile(value: object) -> str | None:
    """The 11 digits of a mainland mobile in `value` ("+86 138-1234-5678" → "13812345678"), else None.

    Every digit in `value` counts: "138 1234 5678 转 2" is not a mobile."""
    if value is None:
        return None
    digits = re.sub(r"[^0-9]", "", str(value).translate(_FULL_WIDTH))
    for code in ("0086", "86"):
        if digits.startswith(code) and len(digits) == 11 + len(code):
            digits = digits[len(code):]
    return digits if _MOBILE_RE.fullmatch(digits) else None


def is_mobile(value: object) -> bool:
    return normalise_mobile(value) is not None


def mobiles_in(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, 11 digits) of every mobile written in `text`; the span leaves out the country code."""
    for match in MOBILE_IN_TEXT.finditer(text or ""):
        yield match.start(1), match.end(1), re.sub(r"[\s-]", "", match.group(1))


def first_mobile(text: str) -> str | None:
    """The first mobile written in `text`, as 11 digits."""
    return next((digits for _start, _end, digits in mobiles_in(text)), None)


def mask_phone(phone: str | None) -> str | None:
    """One phone number as shown to customers and agents: 138****5678 (None and "" stay as they are)."""
    if not phone:
        return phone
    digits = re.sub(r"[^0-9]", "", phone)
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****"


def mask_mobiles_in_text(text: str) -> str:
    """Every mobile inside free text (a log line, a URL) masked, the rest left as it is."""
    return MOBILE_IN_TEXT.sub(
        lambda m: m.group(0)[:m.start(1) - m.start()] + (mask_phone(m.group(1)) or ""), text)
