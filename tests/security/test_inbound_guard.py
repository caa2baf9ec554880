"""Issue 13 (findings 1, 6, 8): the inbound guard every channel calls before the assistant sees a message."""

from __future__ import annotations

import re
import time
import tracemalloc

import pytest

from bot.channels.inbound_guard import (
    BUTTON_PAYLOADS,
    EMPTY_REPLY,
    MAX_SENDER_CHARS,
    check_message,
    client_metadata,
    sender_problem,
    too_long_reply,
)
from bot.settings import ROOT
from bot.text_hygiene import blank_unsafe, remove_unsafe
from tests.hostile_corpus import CORPUS, OVERSIZED, by_name

pytestmark = pytest.mark.security


NOTHING_TO_READ = {"empty", "whitespace-only", "surrogate-high", "surrogate-low"}


@pytest.mark.parametrize("item", CORPUS, ids=lambda item: item.name)
def test_every_hostile_input_gets_a_verdict_and_safe_text(item) -> None:
    inbound = check_message(item.text, limit=1000)
    expected = "too_long" if item.oversized else "empty" if item.name in NOTHING_TO_READ else "ok"
    assert inbound.verdict == expected
    inbound.text.encode("utf-8")  # raises on an unencodable character
    if inbound.ok:
        assert inbound.text == inbound.text.strip() and inbound.text and inbound.reply is None
    else:
        assert inbound.reply  # something polite to say, never silence


@pytest.mark.parametrize("item", OVERSIZED, ids=lambda item: item.name)
def test_over_long_messages_are_refused_quickly_with_flat_memory(item) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    inbound = check_message(item.text, limit=1000)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert inbound.verdict == "too_long" and inbound.reply == too_long_reply(1000)
    assert elapsed < 0.05
    assert peak < 64 * 1024  # only a bounded prefix is ever copied, whatever the message's size


@pytest.mark.parametrize("name", ["empty", "whitespace-only", "surrogate-high", "surrogate-low"])
def test_messages_with_nothing_to_read_get_a_greeting(name: str) -> None:
    inbound = check_message(by_name(name).text)
    assert inbound.verdict == "empty" and inbound.reply == EMPTY_REPLY


@pytest.mark.parametrize("raw", [None, 42, ["查件"], {"text": "查件"}, b"\xff"])
def test_anything_but_text_counts_as_empty(raw) -> None:
    assert check_message(raw).verdict == "empty"


def test_cleaning_drops_what_no_customer_types_and_keeps_the_rest() -> None:
    assert check_message("查件\ud83dZT100000000001\udc00请问到哪了").text == "查件ZT100000000001请问到哪了"
    assert check_message("\u202e查件\u200bZT1000\u200d00000001\ufeff").text == "查件ZT100000000001"
    assert check_message("  第一行\r\n第二行\t完  ").text == "第一行\n第二行\t完"
    assert check_message("😡📦 我的快递呢？").text == "😡📦 我的快递呢？"


def test_the_limit_counts_cleaned_characters() -> None:
    assert check_message("寄" * 1000, limit=1000).ok
    assert check_message("寄" * 1001, limit=1000).verdict == "too_long"
    assert check_message("寄" * 1000 + "\x00" * 500, limit=1000).ok  # padding is dropped, not counted
    assert check_message("\x00" * 5000, limit=1000).verdict == "too_long"  # but only so much is ever read


def test_the_limit_is_a_setting(monkeypatch) -> None:
    from bot.settings import get_settings

    monkeypatch.setenv("MAX_MESSAGE_CHARS", "20")
    get_settings.cache_clear()
    try:
        assert check_message("寄" * 21).verdict == "too_long"
        assert "20" in check_message("寄" * 21).reply
    finally:
        monkeypatch.delenv("MAX_MESSAGE_CHARS")
        get_settings.cache_clear()


def test_blanking_keeps_every_offset() -> None:
    text = "寄到\ud800蘇州\x00多少錢\r"
    assert len(blank_unsafe(text)) == len(text) and blank_unsafe(text) == "寄到 蘇州 多少錢 "
    assert remove_unsafe(text) == "寄到蘇州多少錢\n"


@pytest.mark.parametrize(
    ("sender", "problem"),
    [
        (None, "sender is required"),
        ("", "sender is required"),
        ("   ", "sender is required"),
        (True, "sender is required"),
        (["a"], "sender is required"),
        ({"id": 1}, "sender is required"),
        ("x" * (MAX_SENDER_CHARS + 1), "at most 128"),
        ("x" * 200, "at most 128"),
        ("abc\x00def", "printable"),
        ("abc\ud800", "printable"),
        (" padded ", "printable"),
        ("wx:oAbCdEf123", "must not start with wx:"),  # a WeChat customer's conversation
        ("WX:oAbCdEf123", "must not start with wx:"),
    ],
)
def test_senders_that_cannot_name_a_conversation_are_explained(sender, problem: str) -> None:
    assert problem in sender_problem(sender)


@pytest.mark.parametrize("sender", ["tester-1", "x" * MAX_SENDER_CHARS, 12345, "客户-甲"])
def test_ordinary_senders_pass(sender) -> None:
    assert sender_problem(sender) is None


@pytest.mark.parametrize("raw", [["a", "list"], "a string", 42, 3.5, True, None, "[1, 2]", {"blob": "x" * 5000},
                                 {"bad": "\ud800"}, "x" * 10_000])
def test_metadata_that_is_not_a_small_object_is_dropped(raw) -> None:
    assert client_metadata(raw) == {}


def test_small_metadata_objects_are_kept() -> None:
    assert client_metadata({"page": "/chat/"}) == {"page": "/chat/"}
    assert client_metadata('{"page": "/chat/"}') == {"page": "/chat/"}


@pytest.mark.parametrize(("typed", "read_as"), [
    ('/inform{"tracking_number": "ZT100000000002", "phone_last4": "1234"}',
     'inform{"tracking_number": "ZT100000000002", "phone_last4": "1234"}'),
    ("/restart", "restart"),
    ("//session_start", "session_start"),
    ("/file_claim{\"claim_type\": \"loss\"}", "file_claim{\"claim_type\": \"loss\"}"),
    ("/ 查件", "查件"),
])
def test_a_typed_command_is_read_as_words(typed: str, read_as: str) -> None:
    inbound = check_message(typed, limit=1000)
    assert inbound.ok and inbound.text == read_as


def test_a_lone_slash_is_nothing_to_read() -> None:
    assert check_message(" / ", limit=1000).verdict == "empty"


def test_our_buttons_payloads_pass_unchanged() -> None:
    for payload in BUTTON_PAYLOADS:
        assert check_message(payload, limit=1000).text == payload


def test_every_command_payload_of_our_buttons_is_allowed() -> None:
    # A new button with a "/intent" payload must be added to BUTTON_PAYLOADS, or its taps would become words.
    sources = (ROOT / "actions").glob("*.py")
    payloads = {found for path in sources
                for found in re.findall(r'"payload":\s*"(/[^"]*)"', path.read_text(encoding="utf-8"))}
    assert payloads and payloads <= BUTTON_PAYLOADS, payloads - BUTTON_PAYLOADS
