"""The KPI page's numbers: the backend's KPI report and daily series over the chosen days (containment and
fallback rates per conversation among them), plus handoff queue figures and, from the review loop's per-message
analytics, the messages' fallback rate and the top unhandled topics. Every figure is computed here from stored
rows; the page only draws them."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.backend.public import kpi_daily, kpi_report, kpi_window_start, utcnow
from bot.console.models import CallbackRequest, Handoff
from bot.console.review import message_figures


def report(session: Session, days: int) -> dict[str, Any]:
    now = utcnow()
    base = kpi_report(session, days, now)
    series = kpi_daily(session, days, now)
    since = kpi_window_start(days, now)
    handoffs = session.execute(
        select(Handoff.team_code, Handoff.created_at, Handoff.accepted_at).where(Handoff.created_at >= since)
    ).all()
    waits = [(accepted - created).total_seconds() for _, created, accepted in handoffs if accepted]
    return {
        **base,
        "handoffs_by_team": dict(Counter(team for team, _, _ in handoffs)),
        "average_wait_seconds": round(sum(waits) / len(waits), 1) if waits else None,
        "callbacks": session.execute(select(func.count(CallbackRequest.id))
                                     .where(CallbackRequest.created_at >= since)).scalar_one(),
        # One entry per day of the chosen window (not a fixed fortnight), so the charts add up to the tiles.
        "messages": message_figures(session, since),
        "daily": series,
        "daily_handoffs": [{"day": day["day"], "count": day["handoffs"]} for day in series],
        "daily_satisfaction": [{"day": day["day"], "average": day["satisfaction_average"],
                                "rate": day["satisfaction_rate"]} for day in series],
    }
