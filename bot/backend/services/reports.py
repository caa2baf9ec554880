"""KPIs the call centre reads, computed from stored rows over a window of local calendar days.

The window of N days is today and the N-1 days before it, from local midnight: the tiles (`kpi`) and the daily
series (`daily`) count the same rows, so the bars of a chart add up to its tile."""

from __future__ import annotations

from collections import Counter as Tally
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.backend.clock import iso, local_today, local_zone, to_local, utcnow
from bot.backend.models import Claim, Complaint, ConversationEvent, Rating
from bot.backend.services.working_days import add_working_days
from bot.settings import get_settings

# A rating of 4 or 5 counts as satisfied; the call centre's target is 90 % of ratings.
SATISFIED_SCORE = 4
SATISFACTION_TARGET = 0.9


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def window_start(days: int, now: datetime | None = None) -> datetime:
    """Local midnight `days - 1` days before today, as naive UTC (the stored form)."""
    first = local_today(now) - timedelta(days=days - 1)
    return datetime.combine(first, time(), local_zone()).astimezone(timezone.utc).replace(tzinfo=None)


def _window_days(days: int, now: datetime | None = None) -> list[date]:
    today = local_today(now)
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


Kinds = tuple[dict[str, set[str]], dict[str, date], Tally[str], Tally[date]]


def _conversation_kinds(session: Session, since: datetime) -> Kinds:
    """Per conversation: the kinds of its events in the window and the local day of its first one; and the
    handoffs by reason and by local day."""
    rows = session.execute(
        select(ConversationEvent.conversation_id, ConversationEvent.type, ConversationEvent.reason,
               ConversationEvent.at)
        .where(ConversationEvent.at >= since).order_by(ConversationEvent.at, ConversationEvent.id)
    ).all()
    types: dict[str, set[str]] = {}
    first_day: dict[str, date] = {}
    reasons: Tally[str] = Tally()
    handoff_days: Tally[date] = Tally()
    for conversation_id, kind, reason, at in rows:
        day = to_local(at).date()  # type: ignore[union-attr]
        types.setdefault(conversation_id, set()).add(kind)
        first_day.setdefault(conversation_id, day)
        if kind == "handed_off":
            reasons[reason or "unspecified"] += 1
            handoff_days[day] += 1
    return types, first_day, reasons, handoff_days


def _outcomes(kinds: list[set[str]]) -> dict[str, int]:
    """Contained: no person had to take the conversation. Fallback: the assistant did not understand a message at
    least once.

    Live conversations record `started` (their first message), `fallback` and `handed_off`, never `resolved`: a
    conversation is contained unless it was handed off, so containment = conversations without a handoff /
    conversations (each counted once, on the day of its first event in the window)."""
    handed_off = sum(1 for k in kinds if "handed_off" in k)
    return {"total": len(kinds),
            "handed_off": handed_off,
            "contained": len(kinds) - handed_off,
            "fallback": sum(1 for k in kinds if "fallback" in k)}


def _conversations(session: Session, since: datetime) -> dict[str, Any]:
    types, _first_day, reasons, _handoff_days = _conversation_kinds(session, since)
    return {**_outcomes(list(types.values())), "reasons": dict(reasons)}


def daily(session: Session, days: int, now: datetime | None = None) -> list[dict[str, Any]]:
    """One entry per local day of the window, oldest first: the day's conversations (by their first event) with
    their containment and fallback rates, its handoffs, and its ratings with the share of satisfied ones."""
    since = window_start(days, now)
    types, first_day, _reasons, handoffs = _conversation_kinds(session, since)
    by_day: dict[date, list[set[str]]] = {}
    for conversation_id, kinds in types.items():
        by_day.setdefault(first_day[conversation_id], []).append(kinds)
    scores: dict[date, list[int]] = {}
    for at, score in session.execute(select(Rating.created_at, Rating.score).where(Rating.created_at >= since)):
        scores.setdefault(to_local(at).date(), []).append(score)  # type: ignore[union-attr]
    series = []
    for day in _window_days(days, now):
        outcome = _outcomes(by_day.get(day, []))
        rated = scores.get(day, [])
        satisfied = sum(1 for score in rated if score >= SATISFIED_SCORE)
        series.append({
            "day": day.isoformat(),
            "conversations": outcome["total"], "contained": outcome["contained"], "fallback": outcome["fallback"],
            "containment_rate": _rate(outcome["contained"], outcome["total"]),
            "fallback_rate": _rate(outcome["fallback"], outcome["total"]),
            "handoffs": handoffs.get(day, 0),
            "ratings": len(rated), "satisfied": satisfied,
            "satisfaction_average": round(sum(rated) / len(rated), 2) if rated else None,
            "satisfaction_rate": _rate(satisfied, len(rated)),
        })
    return series


def _complaints(session: Session, since, now) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(Complaint.response_due_at, Complaint.first_response_at, Complaint.stage)
        .where(Complaint.created_at >= since)
    ).all()
    on_time = late = pending = resolved = 0
    for due, responded, stage in rows:
        if stage in {"feedback_given", "archived"}:
            resolved += 1
        if responded is not None:
            on_time += responded <= due
            late += responded > due
        elif due < now:
            late += 1
        else:
            pending += 1
    return {"total": len(rows), "on_time": on_time, "late": late, "pending": pending, "resolved": resolved}


def _claims(session: Session, since) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(Claim.approved_at, Claim.paid_at).where(Claim.approved_at >= since)
    ).all()
    today = local_today()
    days = get_settings().claim_payout_working_days
    on_time = late = pending = 0
    for approved_at, paid_at in rows:
        # The norm measured from the approval on today's calendar, not the date stored at approval: a row
        # stored before a holiday was entered in the calendar is judged by the same rule as the rest.
        due = add_working_days(local_today(approved_at), days)
        if paid_at is not None:
            paid_day = to_local(paid_at).date()  # type: ignore[union-attr]
            on_time += paid_day <= due
            late += paid_day > due
        elif due < today:
            late += 1
        else:
            pending += 1
    return {"approved": len(rows), "paid_on_time": on_time, "late": late, "pending": pending}


def kpi(session: Session, days: int, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    since = window_start(days, now)
    conversations = _conversations(session, since)
    complaints = _complaints(session, since, now)
    claims = _claims(session, since)
    count, average = session.execute(
        select(func.count(Rating.id), func.avg(Rating.score)).where(Rating.created_at >= since)
    ).one()
    satisfied = session.execute(
        select(func.count(Rating.id)).where(Rating.created_at >= since, Rating.score >= SATISFIED_SCORE)
    ).scalar_one()
    return {
        "window_days": days,
        "since": iso(since),
        "until": iso(now),
        "containment_rate": _rate(conversations["contained"], conversations["total"]),
        "handoff_rate": _rate(conversations["handed_off"], conversations["total"]),
        "fallback_rate": _rate(conversations["fallback"], conversations["total"]),
        "handoffs_by_reason": conversations["reasons"],
        "complaint_response_24h_rate": _rate(complaints["on_time"], complaints["on_time"] + complaints["late"]),
        "complaint_resolution_rate": _rate(complaints["resolved"], complaints["total"]),
        "claim_payout_3wd_rate": _rate(claims["paid_on_time"], claims["paid_on_time"] + claims["late"]),
        "satisfaction_average": round(float(average), 2) if average is not None else None,
        "satisfaction_rate": _rate(satisfied, count),
        "satisfaction_target": SATISFACTION_TARGET,
        "counts": {
            "conversations": conversations["total"],
            "contained": conversations["contained"],
            "handed_off": conversations["handed_off"],
            "fallback": conversations["fallback"],
            "complaints": complaints["total"],
            "complaints_answered_in_time": complaints["on_time"],
            "complaints_late": complaints["late"],
            "complaints_pending": complaints["pending"],
            "claims_approved": claims["approved"],
            "claims_paid_on_time": claims["paid_on_time"],
            "claims_late": claims["late"],
            "claims_pending": claims["pending"],
            "ratings": count,
            "satisfied": satisfied,
        },
    }
