"""Every annotated entity in the NLU data must start and end on a token boundary, or DIET never learns it.

    python -m bot.nlu.entity_alignment            # `make validate`: lists misaligned entities, exit 1 if any

Rasa only warns about this while training, minutes in and among many other lines. This check tokenizes the
data the way the trained pipeline does (Traditional read as Simplified, then bot.nlu.courier_tokenizer with
the dictionary config.yml names) and fails on the first new misalignment. The fix is usually a word in
bot/nlu/dictionary (an item), a place in the gazetteer, or an annotation that covers the whole word.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.loading import load_data

from bot.nlu.courier_tokenizer import courier_tokens
from bot.settings import ROOT
from bot.vocabulary.script import detect_script, simplify_keeping_offsets

TOKENIZER = "bot.nlu.courier_tokenizer.CourierTokenizer"


def load_dictionary(config: Path) -> None:
    """Loads the jieba user dictionary that config.yml gives the tokenizer, as training does."""
    import jieba

    jieba.setLogLevel(60)
    pipeline = yaml.safe_load(config.read_text(encoding="utf-8"))["pipeline"]
    step = next(step for step in pipeline if step["name"] == TOKENIZER)
    folder = step.get("dictionary_path")
    for path in sorted((ROOT / folder).iterdir()) if folder else []:
        jieba.load_userdict(str(path))


def misaligned(data_dir: Path) -> Iterator[str]:
    """One line per annotated entity whose span cuts through a token."""
    for example in load_data(str(data_dir)).entity_examples:
        text = example.get(TEXT)
        if detect_script(text) == "traditional":  # as bot.nlu.script_normalizer does before tokenizing
            text = simplify_keeping_offsets(text)
        tokens = courier_tokens(text)
        starts, ends = {token.start for token in tokens}, {token.end for token in tokens}
        for entity in example.get(ENTITIES):
            if entity["start"] not in starts or entity["end"] not in ends:
                words = " / ".join(token.text for token in tokens)
                yield f"{entity['entity']} 「{text[entity['start']:entity['end']]}」 in 「{text}」: {words}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "nlu")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    args = parser.parse_args(argv)
    load_dictionary(args.config)
    problems = list(misaligned(args.data))
    for line in problems:
        print(f"misaligned entity: {line}")
    print(f"{len(problems)} misaligned entity annotation(s)" if problems else "entity annotations align with tokens")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
