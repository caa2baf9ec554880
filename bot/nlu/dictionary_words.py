"""The generated part of jieba's user dictionary: bot/nlu/dictionary/generated.txt.

    .venv/bin/python -m bot.nlu.dictionary_words     # after changing the gazetteer or an item in data/nlu

DIET labels whole tokens, so an entity whose span is not whole tokens is never learned (training warns
"Misaligned entity annotation"). The file makes the spans words, from the sources that already list them:
- every multi-character Simplified spelling of a place in the gazetteer (bot.vocabulary.geography), except
  the ambiguous ones (三明治 must stay a sandwich);
- every item annotated in data/nlu, two characters or more (Traditional annotations in Simplified: the
  ScriptNormalizer converts the text before jieba sees it);
- frequency 0, which is how a user dictionary deletes a word, for the words of jieba's own dictionary that
  swallow one of them: a place followed by another word (上海浦东新区 → 上海 / 浦东新区) and one character
  followed by an item when the character is a measure word or a verb of sending, or an item followed by such
  a verb (份文件 → 份 / 文件, 带电池 → 带 / 电池, 手机带 → 手机 / 带).
Places and items carry no frequency: jieba then gives each the smallest that keeps it one word.
Words of the hand-written courier.txt are left to it. tests/unit/test_nlu_alignment.py fails when the file
is not what this module writes.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from bot.vocabulary import geography
from bot.vocabulary.script import to_simplified

ROOT = Path(__file__).resolve().parents[2]
DICTIONARY_DIR = Path(__file__).resolve().parent / "dictionary"
GENERATED_FILE = DICTIONARY_DIR / "generated.txt"
HAND_WRITTEN_FILE = DICTIONARY_DIR / "courier.txt"
NLU_DATA = ROOT / "data" / "nlu"
ITEM = "item"

if TYPE_CHECKING:
    from rasa.shared.nlu.training_data.training_data import TrainingData
# Verbs that take the item as their object, and measure words (as bot/nlu/courier_entities.py strips them from
# items): jieba has words such as 份文件, 台电脑, 带电池, 含酒精 and 手机带 that would hide the item.
SENDING_VERBS = frozenset("寄发带含装")
ITEM_LEADERS = SENDING_VERBS | frozenset("个份件箱台只些包袋瓶盒双套张本条支把部颗")


def place_words() -> set[str]:
    """Simplified multi-character spellings of the gazetteer's unambiguous places."""
    return {
        spelling for spelling, canonical in geography.place_spellings().items()
        if to_simplified(spelling) == spelling and not geography.is_ambiguous(canonical)
    }


def load_training_data(data_dir: Path = NLU_DATA) -> TrainingData:
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(data_dir))


def item_words(data: TrainingData) -> set[str]:
    """Items annotated in the NLU training data, in Simplified script, two characters or more."""
    words = set()
    for example in data.entity_examples:
        text = example.get("text")
        for entity in example.get("entities") or []:
            if entity.get("entity") == ITEM:
                word = to_simplified(text[entity["start"]:entity["end"]]).strip()
                if len(word) >= 2:
                    words.add(word)
    return words


def _jieba_words() -> dict[str, int]:
    """jieba's own dictionary (not the user words), word → frequency."""
    import jieba

    words = {}
    with jieba.dt.get_dict_file() as lines:
        for raw in lines:
            word, freq = raw.decode("utf-8").split(" ")[:2]
            words[word] = int(freq)
    return words


def _starts_with_place(word: str, places: set[str], jieba_words: dict[str, int]) -> bool:
    return any(word[:cut] in places and jieba_words.get(word[cut:], 0) > 0 for cut in range(2, len(word) - 1))


def swallowing_words(places: set[str], items: set[str], jieba_words: dict[str, int]) -> set[str]:
    """Words of jieba's dictionary that hide a place at their start (a place, then a word of two characters or
    more), an item after a measure word or a verb of sending (份文件, 带电池; not 照相机 or 碎玻璃) or an item
    before such a verb (手机带)."""
    keep = places | items
    return {
        word for word in jieba_words
        if word not in keep and (
            _starts_with_place(word, places, jieba_words)
            or (len(word) >= 3 and word[0] in ITEM_LEADERS and word[1:] in items)
            or (len(word) >= 3 and word[-1] in SENDING_VERBS and word[:-1] in items)
        )
    }


def hand_written_words(path: Path = HAND_WRITTEN_FILE) -> set[str]:
    return {line.split()[0] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def generated_text(data: TrainingData) -> str:
    """The content of generated.txt for this training data: places, then items, then deleted words, sorted."""
    places, items = place_words(), item_words(data)
    hand = hand_written_words()
    deleted = swallowing_words(places, items, _jieba_words()) - hand
    lines = [*sorted(places - hand), *sorted(items - places - hand), *(f"{word} 0" for word in sorted(deleted))]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bot.nlu.dictionary_words",
        description="Rewrite bot/nlu/dictionary/generated.txt (jieba user words) from the gazetteer and data/nlu.",
    )
    parser.parse_args(argv)
    GENERATED_FILE.write_text(generated_text(load_training_data()), encoding="utf-8")
    print(f"wrote {GENERATED_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
