"""Payout deadlines count working days on the official calendar: weekends, public holidays and 调休 make-up
days (pure functions; the HTTP tests check the date the API returns)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bot.backend.models import Base, Claim
from bot.backend.services import reports
from bot.backend.services.working_days import (
    CalendarError,
    add_working_days,
    is_working_day,
    load_calendar,
    working_calendar,
)
from bot.settings import get_settings


@pytest.mark.parametrize("start, expected", [
    (date(2026, 11, 20), date(2026, 11, 25)),  # Friday → Wednesday
    (date(2026, 11, 19), date(2026, 11, 24)),  # Thursday → Tuesday
    (date(2026, 11, 21), date(2026, 11, 25)),  # Saturday → Wednesday
    (date(2026, 11, 22), date(2026, 11, 25)),  # Sunday → Wednesday
    (date(2026, 11, 23), date(2026, 11, 26)),  # Monday → Thursday
    (date(2026, 11, 18), date(2026, 11, 23)),  # Wednesday → Monday
])
def test_ordinary_weeks_skip_the_weekend(start, expected):
    assert add_working_days(start, 3) == expected


@pytest.mark.parametrize("start, expected, why", [
    # The Friday before National Day is itself Mid-Autumn (25–27 Sep off): Mon 28, Tue 29, Wed 30.
    (date(2026, 9, 25), date(2026, 9, 30), "mid-autumn friday"),
    # Approved on the last working day before National Day: 1–7 Oct off, Thu 8, Fri 9, Sat 10 (调休上班).
    (date(2026, 9, 30), date(2026, 10, 10), "national day"),
    # Approved on a holiday: counting starts after the break.
    (date(2026, 10, 3), date(2026, 10, 10), "during national day"),
    # Sunday 20 Sep is a 调休 working day: Sun 20, Mon 21, Tue 22.
    (date(2026, 9, 18), date(2026, 9, 22), "make-up sunday"),
    # Approved on that working Sunday: it does not count itself.
    (date(2026, 9, 20), date(2026, 9, 23), "approved on the make-up sunday"),
    # Spring Festival: Fri 13, Sat 14 (调休上班), 15–23 off, Tue 24.
    (date(2026, 2, 12), date(2026, 2, 24), "spring festival"),
    # New Year's Eve 2025: 1–3 Jan off, Sun 4 Jan (调休上班), Mon 5, Tue 6.
    (date(2025, 12, 31), date(2026, 1, 6), "new year"),
    # Labour Day: 1–5 May off, then Wed 6, Thu 7, Fri 8; and Sat 9 May is a working day.
    (date(2026, 4, 30), date(2026, 5, 8), "labour day"),
    (date(2026, 5, 8), date(2026, 5, 12), "make-up saturday after labour day"),
    # Qingming Monday 6 Apr off.
    (date(2026, 4, 3), date(2026, 4, 9), "qingming"),
])
def test_holidays_and_make_up_days_2026(start, expected, why):
    assert add_working_days(start, 3) == expected, why


def test_working_day_flags():
    assert not is_working_day(date(2026, 10, 1))   # National Day, a Thursday
    assert is_working_day(date(2026, 10, 10))      # Saturday, 调休上班
    assert is_working_day(date(2026, 9, 20))       # Sunday, 调休上班
    assert not is_working_day(date(2026, 6, 19))   # Dragon Boat, a Friday
    assert not is_working_day(date(2026, 11, 21))  # an ordinary Saturday
    assert is_working_day(date(2026, 11, 23))      # an ordinary Monday


def test_2027_is_marked_unpublished_and_only_statutory_days_are_off():
    calendar = working_calendar()
    assert 2026 in calendar.published_years and 2027 not in calendar.published_years
    # Statutory National Day (Fri 1 Oct) is off; no 调休 is known, so weekends stay weekends.
    assert add_working_days(date(2027, 9, 30), 3) == date(2027, 10, 6)
    assert is_working_day(date(2027, 10, 4))


def test_years_not_in_the_calendar_fall_back_to_weekends():
    assert add_working_days(date(2028, 9, 29), 3) == date(2028, 10, 4)  # Friday → Wednesday
    assert add_working_days(date(2025, 10, 1), 1) == date(2025, 10, 2)  # 2025 not listed: a Thursday


def test_the_2026_file_matches_the_official_counts():
    calendar = working_calendar()
    days_off = [d for d in calendar.holidays if d.year == 2026]
    assert len(days_off) == 33  # 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert sorted(d for d in calendar.make_up_days if d.year == 2026) == [
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
        date(2026, 10, 10)]


def test_the_calendar_path_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    custom = tmp_path / "calendar.yml"
    custom.write_text("years:\n  2026:\n    published: true\n    holidays:\n"
                      "      - {name: 公司假, from: 2026-11-24, to: 2026-11-25}\n"
                      "    make_up_working_days:\n      - {name: 公司假, date: 2026-11-28}\n", encoding="utf-8")
    monkeypatch.setenv("WORKING_CALENDAR_PATH", str(custom))
    get_settings.cache_clear()
    try:
        # Mon 23 → Thu 26, Fri 27, Sat 28 (made a working day by the custom file)
        assert add_working_days(date(2026, 11, 23), 3) == date(2026, 11, 28)
        assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 5)  # no National Day in this file
    finally:
        monkeypatch.delenv("WORKING_CALENDAR_PATH")
        get_settings.cache_clear()
    assert add_working_days(date(2026, 11, 23), 3) == date(2026, 11, 26)


@pytest.mark.parametrize("body, problem", [
    ("years:\n  2026:\n    holidays:\n      - {name: x, from: 2026-05-01, to: 2026-05-01}\n"
     "    make_up_working_days:\n      - {name: x, date: 2026-05-01}\n", "both"),
    ("years:\n  2026:\n    make_up_working_days:\n      - {name: x, date: 2026-05-06}\n", "Saturday or Sunday"),
    ("years:\n  2026:\n    holidays:\n      - {name: x, from: 2027-01-01, to: 2027-01-02}\n", "another year"),
    ("years:\n  2026:\n    holidays:\n      - {name: x, from: 2026-05-05, to: 2026-05-01}\n", "ends before"),
    ("years:\n  2026:\n    holidays:\n      - {name: x, from: soon}\n", "not a date"),
])
def test_a_malformed_calendar_is_refused(tmp_path: Path, body: str, problem: str):
    path = tmp_path / "bad.yml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CalendarError, match=problem):
        load_calendar(path)
    with pytest.raises(CalendarError, match="cannot be read"):
        load_calendar(tmp_path / "missing.yml")


def _claim(session: Session, number: str, approved_local: datetime, paid_local: datetime | None) -> None:
    to_utc = timedelta(hours=8)  # Asia/Shanghai, no daylight saving
    session.add(Claim(
        number=number, tracking_number="ZT100000000002", claim_type="damage", insured=False,
        description="x", contact_phone="13800000000", stage="paid" if paid_local else "approved",
        compensation_cap_fen=1000, cap_rule="uninsured_3x_freight", needs_manual_review=False,
        approved_at=approved_local - to_utc, paid_at=paid_local - to_utc if paid_local else None,
        payout_due_date=None, created_at=approved_local - to_utc,
    ))


def test_the_payout_kpi_counts_working_days_on_the_calendar():
    engine = create_engine("sqlite://", future=True)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        # Approved Wed 30 Sep, paid Sat 10 Oct (the third working day after National Day): on time.
        _claim(session, "CL1", datetime(2026, 9, 30, 10), datetime(2026, 10, 10, 16))
        # Approved Fri 18 Sep, paid Wed 23 Sep: the 调休 Sunday 20 Sep counted, so due Tue 22: late.
        _claim(session, "CL2", datetime(2026, 9, 18, 10), datetime(2026, 9, 23, 9))
        session.commit()
        counted = reports._claims(session, datetime(2026, 1, 1))
    assert counted["approved"] == 2
    assert (counted["paid_on_time"], counted["late"]) == (1, 1)
