"""The tariff file loaded once: zones, prices, limits. Pricing logic is in quotes.py."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

TARIFF_FILE = Path(__file__).resolve().parent.parent / "tariff.yml"
ZONES = ("same_city", "same_province", "neighbouring", "national", "remote")


@lru_cache(maxsize=1)
def tariff() -> dict[str, Any]:
    data = yaml.safe_load(TARIFF_FILE.read_text(encoding="utf-8"))
    missing = [zone for zone in ZONES if zone not in data["zones"]]
    if missing:
        raise ValueError(f"tariff.yml lacks zones {missing}")
    return data
