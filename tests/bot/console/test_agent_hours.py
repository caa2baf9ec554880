"""Agents' working hours: a day shift, a shift across midnight, and around the clock."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.console import hours
from bot.settings import get_settings


@pytest.fixture()
def shift(monkeypatch: pytest.MonkeyPatch):
    def set_shift(start: str, end: str) -> None:
        monkeypatch.setenv("AGENT_HOURS_START", start)
        monkeypatch.setenv("AGENT_HOURS_END", end)
        get_settings.cache_clear()

    yield set_shift
    get_settings.cache_clear()


# Times are UTC; the service's clock is Asia/Shanghai (UTC+8).
@pytest.mark.parametrize(("start", "end", "utc", "expected"), [
    ("08:00", "22:00", datetime(2026, 11, 23, 1, 0), True),     # 09:00 local
    ("08:00", "22:00", datetime(2026, 11, 23, 15, 0), False),   # 23:00 local
    ("22:00", "06:00", datetime(2026, 11, 23, 15, 0), True),    # 23:00 local, night shift
    ("22:00", "06:00", datetime(2026, 11, 23, 4, 0), False),    # 12:00 local
    ("00:00", "00:00", datetime(2026, 11, 23, 15, 30), True),   # around the clock
    ("00:00", "00:00", datetime(2026, 11, 23, 4, 0), True),
])
def test_on_duty(shift, start: str, end: str, utc: datetime, expected: bool) -> None:
    shift(start, end)
    assert hours.on_duty(utc) is expected
