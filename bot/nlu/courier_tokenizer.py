"""Jieba as the courier's tokenizer: place names and items come out as tokens of their own.

DIET can only label whole tokens. Rasa's JiebaTokenizer lets jieba's HMM guess new words from runs of single
characters, and it glues an item or a place to the character beside it (寄书去 → 寄 / 书去, 寄高雄, 猫 / 粮到):
those entities were never learned (training printed "Misaligned entity annotation"). Here jieba segments from
its dictionaries only (no HMM): the courier dictionary (bot/nlu/dictionary, items and courier words) and every
spelling of the place gazetteer. Jieba's own dictionary also holds address words that begin with a city
(上海浦东新区, 苏州工业园区, 福州市): such a token is split after the place and its 市/省, so the city is a
token whether the data annotates 福州 or 福州市. Items jieba would glue to a neighbour are in
bot/nlu/dictionary/items.txt (a frequency of 0 removes a jieba word such as 带电池 or 玻璃制品).

`make validate` (bot.nlu.entity_alignment) fails when a training example's entity does not fall on token
boundaries.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from bot.vocabulary.geography import ADMIN_SUFFIXES, all_place_names, is_ambiguous, place_spellings

# Above most everyday words in jieba's dictionary, so 寄高雄 reads 寄 / 高雄.
PLACE_FREQUENCY = 3000


@lru_cache(maxsize=1)
def _place_prefixes() -> frozenset[str]:
    """Canonical names a longer token may start with; ambiguous ones (三明治, 来宾) are words too."""
    return frozenset(name for name in all_place_names() if not is_ambiguous(name))


@lru_cache(maxsize=1)
def _add_places_to_jieba() -> None:
    import jieba

    for spelling in place_spellings():
        jieba.add_word(spelling, PLACE_FREQUENCY)


def split_after_place(word: str) -> list[str]:
    """上海市浦东新区 → [上海, 市, 浦东新区], 杭州市 → [杭州, 市]: the place is a token whatever follows it."""
    places = _place_prefixes()
    for length in range(len(word) - 1, 1, -1):  # the longest place first
        if word[:length] in places:
            place, rest = word[:length], word[length:]
            suffix = next((suffix for suffix in ADMIN_SUFFIXES if rest.startswith(suffix)), "")
            return [part for part in (place, suffix, rest[len(suffix):]) if part]
    return [word]


def courier_tokens(text: str) -> list[Token]:
    """Jieba's dictionary segmentation of `text`, with address words split after their place name."""
    import jieba

    _add_places_to_jieba()
    tokens = []
    for word, start, _end in jieba.tokenize(text, HMM=False):
        for part in split_after_place(word):
            tokens.append(Token(part, start))
            start += len(part)
    return tokens


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class CourierTokenizer(JiebaTokenizer):
    """JiebaTokenizer (same options, same copied dictionary) segmenting as `courier_tokens` does."""

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, model_storage, resource)
        _add_places_to_jieba()

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        return self._apply_token_pattern(courier_tokens(message.get(attribute)))
