"""Parcel tracking numbers: the formats the backend accepts (docs/backend-api.md) and how typed ones are cleaned.

Our own numbers are ZT + 12 digits; partner carriers' numbers are accepted too: SF (顺丰) + 12–13 digits,
JD / JDV (京东) + 10–13, YT (圆通) + 13, and bare numbers of 12–15 digits. The backend validates with
`normalise`, the actions find numbers in a message with `IN_TEXT`, the NLU's rules take the digit counts.
"""

from __future__ import annotations

import re

# Digits after each carrier's prefix (at least, at most).
CARRIER_DIGITS: dict[str, tuple[int, int]] = {"ZT": (12, 12), "SF": (12, 13), "JDV": (10, 13), "JD": (10, 13),
                                              "YT": (13, 13)}
BARE_DIGITS = (12, 15)
# The longest a typed number may be before it is read at all (the longest format is 16 characters).
MAX_LENGTH = 24


def _digits(low: int, high: int) -> str:
    # [0-9], not \d: full-width or other scripts' digits are no tracking number
    return rf"[0-9]{{{low}}}" if low == high else rf"[0-9]{{{low},{high}}}"


FORMAT = "|".join([*(prefix + _digits(*counts) for prefix, counts in CARRIER_DIGITS.items()),
                   _digits(*BARE_DIGITS)])
PATTERN = re.compile(FORMAT)
# A whole number inside free text (not glued to other letters or digits), either case.
IN_TEXT = re.compile(rf"(?<![A-Za-z0-9])({FORMAT})(?![A-Za-z0-9])", re.I)
_NOISE = re.compile(r"[\s\-]")


def normalise(raw: str | None) -> str | None:
    """Upper case without spaces and dashes when it is a number of a known format, else None."""
    text = _NOISE.sub("", raw or "").upper()
    if len(text) > MAX_LENGTH or not PATTERN.fullmatch(text):
        return None
    return text


def is_valid(raw: str | None) -> bool:
    return normalise(raw) is not None
