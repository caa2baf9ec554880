"""Is the customer angry? The one anger lexicon (`anger_lexicon.yml` beside this file) and its score.

Insults, exasperation, threats to escalate (邮政局, 12305, 315, 律师), shouting and angry emoji, each weighted; a
message is angry when its distinct cues weigh `threshold` or more. The NLU marks angry messages with it
(bot/nlu/anger.py), and the handoff actions read the same score when they choose a handoff's reason. The lexicon
is read at start-up, so editing it needs no retraining.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.vocabulary.script import simplify_keeping_offsets

LEXICON_FILE = Path(__file__).with_name("anger_lexicon.yml")


@dataclass(frozen=True)
class Cue:
    category: str
    weight: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class AngerScore:
    score: int
    threshold: int
    cues: tuple[Cue, ...]

    @property
    def angry(self) -> bool:
        return self.score >= self.threshold


@dataclass(frozen=True)
class _Pattern:
    category: str
    weight: int
    regex: re.Pattern[str]


@cache
def lexicon(path: Path = LEXICON_FILE) -> tuple[int, tuple[_Pattern, ...]]:
    """(threshold, weighted patterns); a broken lexicon raises here."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    patterns = []
    for category, spec in data["categories"].items():
        for pattern in spec["patterns"]:
            patterns.append(_Pattern(category, int(spec["weight"]), re.compile(pattern, re.IGNORECASE)))
    return int(data["threshold"]), tuple(patterns)


def score_anger(text: str) -> AngerScore:
    """The anger score of a customer message in either script; cue offsets point into `text` itself."""
    threshold, patterns = lexicon()
    # Same length as text, so a cue's span is also its place in what the customer typed.
    simplified = simplify_keeping_offsets(text or "")
    cues = []
    for pattern in patterns:
        found = pattern.regex.search(simplified)
        if found:  # each pattern counts once: "垃圾！垃圾！" is one insult, not two
            cues.append(Cue(pattern.category, pattern.weight, found.start(), found.end(), text[found.start():found.end()]))
    return AngerScore(sum(cue.weight for cue in cues), threshold, tuple(cues))


def is_angry(text: str) -> bool:
    return score_anger(text).angry
