"""The KPI page's numbers: the backend's KPI report plus handoff queue figures and daily series for charts."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.backend.public import ConversationEvent, Rating, kpi_report, local_today, to_local, utcnow
from bot.console.models import CallbackRequest, Handoff


def _daily(dates: list, days: int) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    today = local_today()
    counts = Counter(dates)
    return [{"day": (today - timedelta(days=offset)).isoformat(), "count": counts.get(today - timedelta(days=offset), 0)}
            for offset in range(days - 1, -1, -1)]


def report(session: Session, days: int) -> dict[str, Any]:
    since = utcnow() - timedelta(days=days)
    base = kpi_report(session, days)
    handed = session.execute(
        select(ConversationEvent.at).where(ConversationEvent.type == "handed_off", ConversationEvent.at >= since)
    ).scalars().all()
    ratings = session.execute(select(Rating.created_at, Rating.score).where(Rating.created_at >= since)).all()
    handoffs = session.execute(
        select(Handoff.team_code, Handoff.created_at, Handoff.accepted_at).where(Handoff.created_at >= since)
    ).all()
    waits = [(accepted - created).total_seconds() for _, created, accepted in handoffs if accepted]
    by_day: dict[str, list[int]] = {}
    for at, score in ratings:
        by_day.setdefault(to_local(at).date().isoformat(), []).append(score)  # type: ignore[union-attr]
    chart_days = min(days, 14)
    return {
        **base,
        "handoffs_by_team": dict(Counter(team for team, _, _ in handoffs)),
        "average_wait_seconds": round(sum(waits) / len(waits), 1) if waits else None,
        "callbacks": session.execute(select(func.count(CallbackRequest.id))
                                     .where(CallbackRequest.created_at >= since)).scalar_one(),
        "daily_handoffs": _daily([to_local(at).date() for at in handed], chart_days),  # type: ignore[union-attr]
        "daily_satisfaction": [{"day": day["day"], "average": round(sum(by_day[day["day"]]) / len(by_day[day["day"]]), 2)
                                if by_day.get(day["day"]) else None} for day in _daily([], chart_days)],
    }
