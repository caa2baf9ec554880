"""The courier tokenizer keeps items and places as tokens of their own, and the data check finds the ones it
would not (bot/nlu/courier_tokenizer.py, bot/nlu/entity_alignment.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.courier_tokenizer import courier_tokens, split_after_place
from bot.nlu.entity_alignment import load_dictionary, main, misaligned
from tests.support import ROOT


@pytest.fixture(scope="module", autouse=True)
def courier_dictionary() -> None:
    load_dictionary(ROOT / "config.yml")


def words(text: str) -> list[str]:
    return [token.text for token in courier_tokens(text)]


@pytest.mark.parametrize(("text", "word"), [
    ("我想寄书去南京", "书"),       # jieba's HMM made 寄书去 one word
    ("我想寄猫粮去佛山", "猫粮"),
    ("寄高雄行不行", "高雄"),
    ("寄普洱茶去台中要几多钱", "台中"),
    ("手机带电池能寄吗", "电池"),
    ("玻璃制品怎么包装", "玻璃"),
])
def test_items_and_places_are_tokens_of_their_own(text: str, word: str) -> None:
    assert word in words(text), words(text)


def test_token_offsets_point_at_their_text() -> None:
    text = "地址是上海市浦东新区世纪大道1号，寄两箱书去武汉"
    for token in courier_tokens(text):
        assert text[token.start:token.end] == token.text


@pytest.mark.parametrize(("word", "parts"), [
    ("上海浦东新区", ["上海", "浦东新区"]),
    ("上海市浦东新区", ["上海", "市", "浦东新区"]),
    ("杭州市", ["杭州", "市"]),
    ("浙江省", ["浙江", "省"]),
    ("苏州工业园区", ["苏州", "工业园区"]),
    ("三明治", ["三明治"]),     # an ambiguous place name that is a word
    ("北京", ["北京"]),
    ("快递员", ["快递员"]),
])
def test_address_words_split_after_their_place(word: str, parts: list[str]) -> None:
    assert split_after_place(word) == parts


def test_the_training_data_has_no_misaligned_entity() -> None:
    assert list(misaligned(ROOT / "data" / "nlu")) == []


def test_a_misaligned_annotation_fails_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: quote\n  examples: |\n    - 寄[书](item)去南京\n    - 寄[北](city)京\n',
        encoding="utf-8")
    assert main(["--data", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "「北」" in out and "1 misaligned" in out and "「书」" not in out
