"""Simplified and Traditional script: what the channels, the NLU's normaliser and the actions all rely on."""

import pytest

from bot.vocabulary.script import detect_script, simplify_keeping_offsets, to_simplified, to_traditional


@pytest.mark.parametrize(("text", "script"), [
    ("這個包裹在哪裡", "traditional"),
    ("这个包裹在哪里", "simplified"),
    ("我的快遞到了嗎", "traditional"),  # one Traditional character is enough
    ("你好", "neutral"),  # the same in both scripts
    ("好的 123", "neutral"),
    ("ZT123456789012", "neutral"),
    ("😀", "neutral"),
    ("", "neutral"),
])
def test_the_script_a_customer_writes(text: str, script: str) -> None:
    assert detect_script(text) == script


def test_traditional_becomes_simplified_and_simplified_is_left_alone() -> None:
    assert to_simplified("這個包裹在哪裡") == "这个包裹在哪里"
    assert to_simplified("这个包裹在哪里") == "这个包裹在哪里"
    assert to_simplified("蘇州市") == "苏州市"


@pytest.mark.parametrize(("variant", "expected"), [("tw", "著裡臺"), ("hk", "着裏台")])
def test_replies_follow_taiwan_or_hong_kong_conventions(variant: str, expected: str) -> None:
    assert to_traditional("着里台", variant) == expected


def test_an_unknown_variant_falls_back_to_plain_traditional() -> None:
    assert to_traditional("为众", "xx") == "爲衆"
    assert to_traditional("为众", "tw") == "為眾"


@pytest.mark.parametrize("text", ["我的快遞在裡面", "乾燥的檯面", "計程車到蘇州", "寄到臺灣嗎"])
def test_simplifying_keeps_every_offset(text: str) -> None:
    simple = simplify_keeping_offsets(text)
    assert len(simple) == len(text) and detect_script(simple) != "traditional"


@pytest.mark.parametrize("text", ["\ud800", "說\udfff", "a\ud83d"])
def test_a_lone_surrogate_never_breaks_conversion(text: str) -> None:
    assert len(to_simplified(text)) == len(text)
    to_traditional(text).encode("utf-8")
    assert detect_script(text) in {"simplified", "traditional", "neutral"}
