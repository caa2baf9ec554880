"""催件: a follow-up for a late parcel's delivery outlet, due within the outlet's working hours.

Only a parcel that is late (overdue, delayed or in exception, as its summary says) is followed up: a delivered,
returned or on-time parcel gets an answer and no record. One open follow-up per parcel: asking again, from any
chat, returns the one already recorded (the unique partial index makes that hold even for two at once).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.backend.clock import iso, local_zone, utcnow
from bot.backend.models import Parcel, ParcelFollowUp
from bot.backend.services import tracking
from bot.settings import get_settings

OPEN = "open"


def delivery_outlet(parcel: Parcel) -> str:
    """The outlet that delivers the parcel (the last stop of every route, bot/backend/seed.py's 营业部)."""
    return f"{parcel.destination_city}营业部"


def _clock(value: str) -> time:
    return datetime.strptime(value, "%H:%M").time()


def due_time(now_utc: datetime | None = None) -> datetime:
    """When the outlet owes an answer: HURRY_REPLY_HOURS of its working hours after now (naive UTC).

    Asked at 10:00 it is 14:00 the same day; at 18:30 (outlet closes 20:00) 1.5 h today and the rest from
    08:00 the next morning; at night the hours start at the next opening.
    """
    settings = get_settings()
    start, end = _clock(settings.outlet_hours_start), _clock(settings.outlet_hours_end)
    moment = (now_utc or utcnow()).replace(tzinfo=timezone.utc).astimezone(local_zone())
    left = timedelta(hours=settings.hurry_reply_hours)
    while True:
        opening = moment.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
        closing = moment.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        moment = max(moment, opening)
        if moment < closing:
            if left <= closing - moment:
                return (moment + left).astimezone(timezone.utc).replace(tzinfo=None)
            left -= closing - moment
        moment = opening + timedelta(days=1)


def _open_follow_up(session: Session, tracking_number: str) -> ParcelFollowUp | None:
    return session.execute(
        select(ParcelFollowUp).where(ParcelFollowUp.tracking_number == tracking_number,
                                     ParcelFollowUp.state == OPEN)
    ).scalar_one_or_none()


def _follow_up_dict(row: ParcelFollowUp) -> dict[str, Any]:
    return {"id": row.id, "outlet": row.outlet, "state": row.state, "created_at": iso(row.created_at),
            "due_at": iso(row.due_at)}


def hurry(session: Session, parcel: Parcel, conversation_id: str | None, channel: str | None,
          ) -> tuple[int, dict[str, Any]]:
    """(201, the new follow-up) or (200, the open one, or why none is needed: delivered, returned, not_late)."""
    state = tracking.summary(session, parcel)
    answer: dict[str, Any] = {key: state[key] for key in ("tracking_number", "status", "status_text", "eta")}
    if parcel.status in tracking.FINAL_STATUSES:
        return 200, {**answer, "recorded": False, "reason": parcel.status}
    if not (state["is_delayed"] or state["is_exception"]):
        return 200, {**answer, "recorded": False, "reason": "not_late"}
    existing = _open_follow_up(session, parcel.tracking_number)
    if existing is None:
        now = utcnow()
        row = ParcelFollowUp(tracking_number=parcel.tracking_number, outlet=delivery_outlet(parcel), state=OPEN,
                             conversation_id=conversation_id, channel=channel, created_at=now,
                             due_at=due_time(now))
        session.add(row)
        try:
            session.commit()
            return 201, {**answer, "recorded": True, "created": True, "follow_up": _follow_up_dict(row)}
        except IntegrityError:  # another chat recorded it at the same moment: that one stands
            session.rollback()
            existing = _open_follow_up(session, parcel.tracking_number)
    return 200, {**answer, "recorded": True, "created": False, "follow_up": _follow_up_dict(existing)}


def open_for(session: Session, tracking_number: str) -> dict[str, Any] | None:
    """The parcel's open follow-up, for the agent console."""
    row = _open_follow_up(session, tracking_number)
    return _follow_up_dict(row) if row else None


def list_open(session: Session, limit: int = 100) -> list[dict[str, Any]]:
    """Open follow-ups, the soonest due first (what the outlets and the agents work through)."""
    rows = session.execute(
        select(ParcelFollowUp).where(ParcelFollowUp.state == OPEN).order_by(ParcelFollowUp.due_at).limit(limit)
    ).scalars().all()
    return [{"tracking_number": row.tracking_number, **_follow_up_dict(row)} for row in rows]
