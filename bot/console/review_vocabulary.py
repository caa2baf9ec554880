"""What a supervisor may label a message with: the intents and entities the assistant is trained on.

Read from domain.yml and the NLU data (data/nlu/), so the choices follow the model's own files: the domain's
intents, except the fallback and the backend's pushed EXTERNAL_ intents; the FAQ's retrieval intents as their
sub-intents (faq/service_hours…), since a bare `faq` example is no valid training data; the domain's entities
(with their roles) that the NLU data annotates, not those a component sets (the anger detector's `mood`). The
texts the data already holds are read too: an export leaves them out, a duplicate is a validation warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import ROOT, get_settings

RETRIEVAL_INTENTS = ("faq",)
_ANNOTATED = re.compile(r"\]\((\w+)[:)]|\"entity\"\s*:\s*\"(\w+)\"")
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Choices:
    intents: tuple[str, ...]
    entities: dict[str, tuple[str, ...]]  # entity → its roles (empty: none)
    known_texts: frozenset[str]


def plain_text(example: str) -> str:
    """An example without its entity annotations, whitespace collapsed: what the customer typed."""
    return " ".join(_ANNOTATION.sub(r"\1", example).split())


def _nlu_items(files: list[Path]) -> list[dict[str, Any]]:
    items = []
    for path in files:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items += [item for item in loaded.get("nlu") or [] if isinstance(item, dict)]
    return items


def _domain_entities(domain: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for entry in domain.get("entities") or []:
        if isinstance(entry, str):
            found[entry] = ()
        elif isinstance(entry, dict):
            for name, spec in entry.items():
                found[name] = tuple((spec or {}).get("roles") or ())
    return found


def load_choices(root: Path = ROOT, export: Path | None = None) -> Choices:
    """The choices from the files under `root`; `export` (the review's own output) is not counted as data."""
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8")) or {}
    files = sorted(p for p in (root / "data" / "nlu").glob("*.yml") if export is None or p.resolve() != export.resolve())
    items = _nlu_items(files)
    intents = []
    for entry in domain.get("intents") or []:
        name = entry if isinstance(entry, str) else next(iter(entry))
        if name == "nlu_fallback" or name.startswith("EXTERNAL_") or name in RETRIEVAL_INTENTS:
            continue
        intents.append(name)
    retrieval = sorted({str(item["intent"]) for item in items if "/" in str(item.get("intent", ""))
                        and str(item["intent"]).split("/")[0] in RETRIEVAL_INTENTS})
    annotated: set[str] = set()
    texts: set[str] = set()
    for item in items:
        for line in str(item.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                annotated.update(a or b for a, b in _ANNOTATED.findall(line))
                texts.add(plain_text(line[2:]))
    entities = {name: roles for name, roles in _domain_entities(domain).items() if name in annotated}
    return Choices(tuple(intents + retrieval), entities, frozenset(texts))


@lru_cache(maxsize=1)
def choices() -> Choices:
    """The running process's choices (the files do not change under a running model)."""
    return load_choices(ROOT, get_settings().review_export_path)
