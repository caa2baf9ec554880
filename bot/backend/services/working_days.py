"""Working-day arithmetic on the official calendar: weekends, public holidays and 调休 make-up working days.

The calendar is data (`bot/backend/working_calendar.yml`, path in settings.working_calendar_path). Dates in
years the file does not cover fall back to Monday–Friday.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import get_settings

logger = logging.getLogger(__name__)


class CalendarError(ValueError):
    """The calendar file is malformed: refuse to start rather than compute wrong payout dates."""


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[date]
    make_up_days: frozenset[date]
    # Years whose holiday arrangement the State Council has published (others are partial or absent)
    published_years: frozenset[int]
    listed_years: frozenset[int]

    def is_working_day(self, day: date) -> bool:
        if day in self.make_up_days:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself never counts): Friday + 3 → Wednesday."""
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        if current.year not in self.published_years:
            _warn_unpublished(current.year, current.year in self.listed_years)
        return current


@cache
def _warn_unpublished(year: int, listed: bool) -> None:
    # Once per year and process: the date is still computed, on weekends (and statutory days if listed).
    what = "only its statutory holidays are listed" if listed else "it is not in the calendar"
    logger.warning("working days in %d: %s; 调休 days are not known, weekends assumed", year, what)


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise CalendarError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def _year_dates(year: int, entry: dict[str, Any]) -> tuple[set[date], set[date]]:
    holidays: set[date] = set()
    for block in entry.get("holidays") or []:
        first = _as_date(block.get("from"), f"{year} holiday {block.get('name')}")
        last = _as_date(block.get("to", first), f"{year} holiday {block.get('name')}")
        if last < first:
            raise CalendarError(f"{year} holiday {block.get('name')}: ends before it starts")
        holidays.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    make_up = {_as_date(row.get("date"), f"{year} make-up day {row.get('name')}")
               for row in entry.get("make_up_working_days") or []}
    stray = sorted(d for d in holidays | make_up if d.year != year)
    if stray:
        raise CalendarError(f"{year}: dates of another year listed: {stray}")
    both = sorted(holidays & make_up)
    if both:
        raise CalendarError(f"{year}: listed both as holiday and as make-up working day: {both}")
    weekdays = sorted(d for d in make_up if d.weekday() < 5)
    if weekdays:
        raise CalendarError(f"{year}: a make-up working day must be a Saturday or Sunday: {weekdays}")
    return holidays, make_up


def load_calendar(path: Path) -> WorkingCalendar:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise CalendarError(f"working calendar {path} cannot be read: {exc}") from exc
    holidays: set[date] = set()
    make_up: set[date] = set()
    published: set[int] = set()
    for year, entry in (data.get("years") or {}).items():
        year_holidays, year_make_up = _year_dates(int(year), entry or {})
        holidays |= year_holidays
        make_up |= year_make_up
        if (entry or {}).get("published"):
            published.add(int(year))
    listed = frozenset(int(year) for year in (data.get("years") or {}))
    return WorkingCalendar(frozenset(holidays), frozenset(make_up), frozenset(published), listed)


@lru_cache(maxsize=4)
def _calendar_at(path: str) -> WorkingCalendar:
    return load_calendar(Path(path))


def working_calendar() -> WorkingCalendar:
    """The configured calendar (read once per path and process)."""
    return _calendar_at(str(get_settings().working_calendar_path))


def is_working_day(day: date) -> bool:
    return working_calendar().is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` on the configured calendar (start itself never counts)."""
    return working_calendar().add_working_days(start, days)
