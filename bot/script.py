"""Which Chinese script a customer writes, and conversion between scripts.

The NLU pipeline understands Simplified text, so Traditional input is normalised before tokenisation;
replies are converted back for customers who wrote Traditional. Conversion tables come from OpenCC.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from opencc import OpenCC

Script = Literal["simplified", "traditional", "neutral"]


@cache
def _converter(config: str) -> OpenCC:
    return OpenCC(config)


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text)


def to_traditional(text: str, variant: str = "tw") -> str:
    """Simplified → Traditional with Taiwan ("tw") or Hong Kong ("hk") character conventions."""
    config = {"tw": "s2tw", "hk": "s2hk"}.get(variant, "s2t")
    return _converter(config).convert(text)


def detect_script(text: str) -> Script:
    """"neutral" when the text has no character that differs between the scripts (digits, 好的, emoji…)."""
    if to_simplified(text) != text:
        return "traditional"
    if _converter("s2t").convert(text) != text:
        return "simplified"
    return "neutral"
