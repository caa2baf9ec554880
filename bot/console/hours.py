"""The agents' working hours (settings, local time): on duty now? when do they open next?"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from bot.backend.public import local_zone
from bot.settings import get_settings


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _local(now_utc: datetime | None) -> datetime:
    now = now_utc or datetime.now(timezone.utc).replace(tzinfo=None)
    return now.replace(tzinfo=timezone.utc).astimezone(local_zone())


def on_duty(now_utc: datetime | None = None) -> bool:
    settings = get_settings()
    start, end = _hhmm(settings.agent_hours_start), _hhmm(settings.agent_hours_end)
    current = _local(now_utc).time()
    if start == end:
        return True  # the same start and end time means agents work around the clock
    if start < end:
        return start <= current < end
    return current >= start or current < end  # a shift across midnight


def next_opening(now_utc: datetime | None = None) -> datetime:
    """The next moment agents start work (local, aware); today's start if it is still ahead."""
    local = _local(now_utc)
    start = _hhmm(get_settings().agent_hours_start)
    candidate = local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    return candidate if candidate > local else candidate + timedelta(days=1)


def describe_opening(opening: datetime, now_utc: datetime | None = None) -> str:
    """"今天 08:00" / "明天 08:00" / "11月25日 08:00", for the customer."""
    today = _local(now_utc).date()
    clock = opening.strftime("%H:%M")
    if opening.date() == today:
        return f"今天 {clock}"
    if opening.date() == today + timedelta(days=1):
        return f"明天 {clock}"
    return f"{opening.month}月{opening.day}日 {clock}"
