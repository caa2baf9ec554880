"""Time in one place: stored naive UTC, shown in the company's time zone (Asia/Shanghai)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from bot.settings import get_settings


def utcnow() -> datetime:
    """Naive UTC, the form stored in the database (SQLite keeps no offsets)."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def local_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc).astimezone(local_zone())


def iso(value: datetime | None) -> str | None:
    local = to_local(value)
    return local.isoformat() if local else None


def local_today(now_utc: datetime | None = None) -> date:
    return to_local(now_utc or utcnow()).date()  # type: ignore[union-attr]
