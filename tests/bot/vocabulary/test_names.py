"""Names as customers give them, and the polite form of address."""

from __future__ import annotations

import pytest

from bot.vocabulary.names import find_name


@pytest.mark.parametrize(("text", "bare", "polite"), [
    ("我姓李", False, "李先生/女士"),
    ("我姓李，女士", False, "李女士"),
    ("免贵姓欧阳", False, "欧阳先生/女士"),
    ("李女士", False, "李女士"),
    ("我叫王小明", False, "王小明"),
    ("寄件人：张三，电话139", False, "张三"),
    ("我是王小明寄到北京", False, "王小明"),
    ("…电话13900001111，我姓李", False, "李先生/女士"),
    ("王小明", True, "王小明"),
    ("陳大文", True, "陈大文"),
])
def test_names_and_their_polite_form(text, bare, polite) -> None:
    found = find_name(text, bare=bare)
    assert found is not None and found.polite == polite


@pytest.mark.parametrize("text", ["明天下午", "北京", "随便吧", "一箱书", "体育西路", "快点吧"])
def test_a_time_a_place_or_a_phrase_is_no_name(text) -> None:
    assert find_name(text, bare=True) is None


def test_a_bare_name_counts_only_when_the_name_was_asked() -> None:
    assert find_name("王小明") is None and find_name("王小明", bare=True) is not None
