"""Time windows as customers type them, resolved against a fixed day, and the official working-day calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import yaml

from bot.vocabulary.time_windows import (
    describe,
    find_time_window,
    holiday_name,
    is_working_day,
    next_working_day,
)
from tests.support import ROOT

SUNDAY = date(2026, 12, 6)


@pytest.mark.parametrize(("text", "written", "day", "hours"), [
    ("后天上午10点到12点来取件，寄两箱茶叶去成都", "后天上午10点到12点", date(2026, 12, 8), (10, 12)),
    ("周六下午三点前", "周六下午三点前", date(2026, 12, 12), (13, 15)),
    ("今晚", "今晚", SUNDAY, (18, 21)),
    ("明天下午", "明天下午", date(2026, 12, 7), (13, 18)),
    ("8号下午两点半", "8号下午两点半", date(2026, 12, 8), (14.5, None)),
    ("下周一上午", "下周一上午", date(2026, 12, 7), (9, 12)),
    ("12月24日晚上8点以后", "12月24日晚上8点以后", date(2026, 12, 24), (20, 21)),
    ("三点半到五点", "三点半到五点", None, (15.5, 17)),
    ("10:30-12:00", "10:30-12:00", None, (10.5, 12)),
    ("明天上午9点到11点", "明天上午9点到11点", date(2026, 12, 7), (9, 11)),
    ("後天下午", "后天下午", date(2026, 12, 8), (13, 18)),
])
def test_windows_found_and_resolved(text, written, day, hours) -> None:
    window = find_time_window(text, SUNDAY)
    assert window is not None and window.text == written
    assert window.day == day and (window.from_hour, window.to_hour) == hours


@pytest.mark.parametrize("text", ["快一点", "体育西路1号", "王小明", "寄到北京", "1.5公斤", "两箱茶叶", "13900001111"])
def test_no_time_in_these(text) -> None:
    assert find_time_window(text, SUNDAY) is None


def test_the_summary_line() -> None:
    assert describe(find_time_window("后天上午10点到12点", SUNDAY)) == "12月8日周二 10:00-12:00"
    assert describe(find_time_window("10月1日上午", date(2026, 9, 1))) == "10月1日周四（国庆节） 9:00-12:00"


def test_working_days_follow_the_official_calendar_with_its_make_up_days() -> None:
    assert not is_working_day(date(2026, 10, 5))      # National Day holiday, a Monday
    assert is_working_day(date(2026, 10, 10))         # Saturday made a working day (调休)
    assert next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert holiday_name(date(2026, 2, 17)) == "春节" and holiday_name(date(2026, 3, 3)) is None
    assert is_working_day(date(2031, 3, 3)) and not is_working_day(date(2031, 3, 1))  # unknown year: weekdays


def test_the_package_agrees_with_the_backends_hand_kept_calendar_for_published_years() -> None:
    """bot/backend/working_calendar.yml is kept by hand from the same State Council notice: they must agree."""
    calendar = yaml.safe_load((ROOT / "bot/backend/working_calendar.yml").read_text(encoding="utf-8"))["years"]
    for year, entry in calendar.items():
        if not entry.get("published"):
            continue
        holidays: set[date] = set()
        for holiday in entry["holidays"]:
            day = holiday["from"]
            while day <= holiday["to"]:
                holidays.add(day)
                day += timedelta(days=1)
        make_up = {item["date"] for item in entry["make_up_working_days"]}
        day, disagreements = date(year, 1, 1), []
        while day.year == year:
            by_hand = day in make_up or (day.weekday() < 5 and day not in holidays)
            if by_hand != is_working_day(day):
                disagreements.append(day)
            day += timedelta(days=1)
        assert disagreements == [], f"{year}: {disagreements}"
