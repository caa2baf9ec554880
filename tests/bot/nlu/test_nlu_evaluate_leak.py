"""The held-out evaluation refuses to score a split that leaked into the training data."""

from __future__ import annotations

from pathlib import Path

from bot.nlu.evaluate import leaked, load_examples

NLU = 'version: "3.1"\nnlu:\n  - intent: greet\n    examples: |\n{lines}\n'


def write(folder: Path, sentences: list[str]) -> str:
    folder.mkdir()
    (folder / "nlu.yml").write_text(NLU.format(lines="\n".join(f"      - {s}" for s in sentences)), encoding="utf-8")
    return str(folder)


def test_a_sentence_in_both_splits_is_reported(tmp_path: Path) -> None:
    held_out = load_examples(write(tmp_path / "test", ["早安", "在吗亲"]))
    assert leaked(held_out, write(tmp_path / "train", ["早安", "你好"])) == ["早安"]


def test_disjoint_splits_are_clean(tmp_path: Path) -> None:
    held_out = load_examples(write(tmp_path / "test", ["在吗亲"]))
    assert leaked(held_out, write(tmp_path / "train", ["你好"])) == []
