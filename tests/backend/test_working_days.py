"""Payout deadlines skip weekends (pure function; the HTTP tests check the date the API returns)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.backend.services.working_days import add_working_days


@pytest.mark.parametrize("start, expected", [
    (date(2026, 11, 20), date(2026, 11, 25)),  # Friday → Wednesday
    (date(2026, 11, 19), date(2026, 11, 24)),  # Thursday → Tuesday
    (date(2026, 11, 21), date(2026, 11, 25)),  # Saturday → Wednesday
    (date(2026, 11, 22), date(2026, 11, 25)),  # Sunday → Wednesday
    (date(2026, 11, 23), date(2026, 11, 26)),  # Monday → Thursday
    (date(2026, 11, 18), date(2026, 11, 23)),  # Wednesday → Monday
])
def test_three_working_days(start, expected):
    assert add_working_days(start, 3) == expected
