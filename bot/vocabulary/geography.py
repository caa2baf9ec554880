"""Chinese place names: which provinces and cities exist, their canonical names and provinces.

The canonical form of a place is its Simplified short name without administrative suffixes
(苏州, 内蒙古, 延边). Hong Kong, Macau and Taiwan are known places outside the mainland network, so
callers can tell customers they are not covered instead of "unknown city".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.vocabulary.script import to_simplified

DATA_FILE = Path(__file__).resolve().parent / "china_places.yml"

# Longest first, so "壮族自治区" is removed before "自治区" would leave "广西壮族".
ADMIN_SUFFIXES = (
    "特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "特区",
    "地区", "林区", "省", "市", "盟",
)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Place:
    name: str
    province: str
    is_province: bool
    outside_mainland: bool
    ambiguous: bool


@dataclass(frozen=True)
class _Gazetteer:
    places: dict[str, Place]   # canonical name → place
    lookup: dict[str, str]     # any accepted spelling → canonical name


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    ambiguous = set(raw.get("ambiguous") or [])
    places: dict[str, Place] = {}
    lookup: dict[str, str] = {}
    for province, info in raw["provinces"].items():
        outside = bool(info.get("outside_mainland", False))
        places[province] = Place(province, province, True, outside, province in ambiguous)
        for spelling in [province, *(info.get("full") or []), *(info.get("aliases") or [])]:
            lookup[str(spelling)] = province
        for city in info.get("cities") or []:
            places.setdefault(city, Place(city, province, False, outside, city in ambiguous))
            lookup.setdefault(city, city)
            lookup.setdefault(city + "市", city)
    for long_name, short in (raw.get("long_names") or {}).items():
        lookup[long_name] = short
    return _Gazetteer(places, lookup)


def normalize_place(name: str) -> str | None:
    """Canonical Simplified short name of a place ("蘇州市" → "苏州"), None when unknown."""
    if not name:
        return None
    text = _SPACES.sub("", to_simplified(name))
    lookup = _gazetteer().lookup
    if text in lookup:
        return lookup[text]
    if text.upper() in lookup:
        return lookup[text.upper()]
    for suffix in ADMIN_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            stem = text[: -len(suffix)]
            if stem in lookup:
                return lookup[stem]
    return None


def province_of(place: str) -> str | None:
    """The province (or municipality / region) a place belongs to; a province maps to itself."""
    canonical = normalize_place(place)
    return _gazetteer().places[canonical].province if canonical else None


def is_known_place(name: str) -> bool:
    return normalize_place(name) is not None


def is_province(name: str) -> bool:
    canonical = normalize_place(name)
    return bool(canonical and _gazetteer().places[canonical].is_province)


def is_outside_mainland(name: str) -> bool:
    """Hong Kong, Macau and Taiwan: known, but not served by the mainland network."""
    canonical = normalize_place(name)
    return bool(canonical and _gazetteer().places[canonical].outside_mainland)


def is_ambiguous(name: str) -> bool:
    """Places whose name is also an everyday word (来宾, 三明治…): free text needs a cue to count them."""
    canonical = normalize_place(name)
    return bool(canonical and _gazetteer().places[canonical].ambiguous)


def all_place_names() -> list[str]:
    """Canonical names of every known province and city."""
    return sorted(_gazetteer().places)


def place_spellings() -> dict[str, str]:
    """Every multi-character spelling worth matching in free text → canonical name.

    One-character aliases (沪, 京…) are left out: inside a sentence they are far more often plain words.
    """
    return {spelling: canonical for spelling, canonical in _gazetteer().lookup.items()
            if len(spelling) >= 2 and not spelling.isascii()}
