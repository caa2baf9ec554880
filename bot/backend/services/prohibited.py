"""Prohibited items (禁寄物品): keyword match on the Simplified item text, reason from the data file."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.vocabulary.script import to_simplified

PROHIBITED_FILE = Path(__file__).resolve().parent.parent / "prohibited.yml"


@dataclass(frozen=True)
class Refusal:
    category: str
    keyword: str
    reason: str


@lru_cache(maxsize=1)
def _rules() -> list[dict]:
    return yaml.safe_load(PROHIBITED_FILE.read_text(encoding="utf-8"))


def check_item(item: str) -> Refusal | None:
    text = to_simplified(item or "").lower()
    for rule in _rules():
        for keyword in rule["keywords"]:
            if str(keyword).lower() in text:
                return Refusal(category=rule["category"], keyword=str(keyword), reason=rule["reason"])
    return None
