"""Cities and provinces for routing and pricing, on top of the shared gazetteer (bot.vocabulary.geography)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.backend.errors import ApiError
from bot.vocabulary import geography

NEIGHBOURS_FILE = Path(__file__).resolve().parent.parent / "neighbours.yml"


@dataclass(frozen=True)
class Place:
    name: str
    province: str


@lru_cache(maxsize=1)
def neighbour_map() -> dict[str, frozenset[str]]:
    raw = yaml.safe_load(NEIGHBOURS_FILE.read_text(encoding="utf-8"))
    return {province: frozenset(others) for province, others in raw.items()}


def are_neighbours(a: str, b: str) -> bool:
    return b in neighbour_map().get(a, frozenset())


@lru_cache(maxsize=4096)
def _canonical(text: str) -> str | None:
    # Script conversion is the slow part of a quote; the same few hundred places come back all day.
    return geography.normalize_place(text)


def resolve_place(text: str, role: str) -> Place:
    """A served mainland place, or a 422 the customer can act on (unknown city / not covered)."""
    name = _canonical(text)
    label = {"origin": "寄件地", "destination": "目的地"}.get(role, "城市")
    if name is None:
        raise ApiError(422, "unknown_city", f"抱歉，没有识别出{label}“{text[:32]}”，请告诉我们具体的城市名称。",
                       field=role)
    if geography.is_outside_mainland(name):
        raise ApiError(422, "not_covered", f"抱歉，{label}“{name}”暂不在我们的寄递服务范围内（目前仅服务中国内地）。",
                       field=role)
    province = geography.province_of(name) or name
    return Place(name=name, province=province)
