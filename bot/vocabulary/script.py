"""Which Chinese script a customer writes, and conversion between scripts.

The NLU pipeline understands Simplified text, so Traditional input is normalised before tokenisation;
replies are converted back for customers who wrote Traditional. Conversion tables come from OpenCC.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from opencc import OpenCC

from bot.text_hygiene import without_surrogates

Script = Literal["simplified", "traditional", "neutral"]


@cache
def _converter(config: str) -> OpenCC:
    return OpenCC(config)


def to_simplified(text: str) -> str:
    # OpenCC encodes its input: a lone surrogate would raise. Same length either way (offsets are kept).
    return _converter("t2s").convert(without_surrogates(text))


def simplify_keeping_offsets(text: str) -> str:
    """Simplified form of text with the same length (per-character fallback when phrases change length)."""
    converted = to_simplified(text)
    if len(converted) == len(text):
        return converted
    chars = []
    for char in text:
        simple = to_simplified(char)
        chars.append(simple if len(simple) == 1 else char)
    return "".join(chars)


def to_traditional(text: str, variant: str = "tw") -> str:
    """Simplified → Traditional with Taiwan ("tw") or Hong Kong ("hk") character conventions."""
    config = {"tw": "s2tw", "hk": "s2hk"}.get(variant, "s2t")
    return _converter(config).convert(without_surrogates(text))


def detect_script(text: str) -> Script:
    """"neutral" when the text has no character that differs between the scripts (digits, 好的, emoji…)."""
    text = without_surrogates(text)
    if to_simplified(text) != text:
        return "traditional"
    if _converter("s2t").convert(text) != text:
        return "simplified"
    return "neutral"
