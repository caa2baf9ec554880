"""KPIs the call centre reads, computed from stored rows over a window of days."""

from __future__ import annotations

from collections import Counter as Tally
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.backend.clock import iso, local_today, to_local, utcnow
from bot.backend.models import Claim, Complaint, ConversationEvent, Rating
from bot.backend.services.working_days import add_working_days
from bot.settings import get_settings


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _conversations(session: Session, since) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(ConversationEvent.conversation_id, ConversationEvent.type, ConversationEvent.reason)
        .where(ConversationEvent.at >= since)
    ).all()
    types: dict[str, set[str]] = {}
    reasons: Tally[str] = Tally()
    for conversation_id, kind, reason in rows:
        types.setdefault(conversation_id, set()).add(kind)
        if kind == "handed_off":
            reasons[reason or "unspecified"] += 1
    total = len(types)
    handed = sum(1 for kinds in types.values() if "handed_off" in kinds)
    contained = sum(1 for kinds in types.values() if "resolved" in kinds and "handed_off" not in kinds)
    return {"total": total, "handed_off": handed, "contained": contained, "reasons": dict(reasons)}


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


def kpi(session: Session, days: int) -> dict[str, Any]:
    now = utcnow()
    since = now - timedelta(days=days)
    conversations = _conversations(session, since)
    complaints = _complaints(session, since, now)
    claims = _claims(session, since)
    count, average = session.execute(
        select(func.count(Rating.id), func.avg(Rating.score)).where(Rating.created_at >= since)
    ).one()
    return {
        "window_days": days,
        "since": iso(since),
        "until": iso(now),
        "containment_rate": _rate(conversations["contained"], conversations["total"]),
        "handoff_rate": _rate(conversations["handed_off"], conversations["total"]),
        "handoffs_by_reason": conversations["reasons"],
        "complaint_response_24h_rate": _rate(complaints["on_time"], complaints["on_time"] + complaints["late"]),
        "complaint_resolution_rate": _rate(complaints["resolved"], complaints["total"]),
        "claim_payout_3wd_rate": _rate(claims["paid_on_time"], claims["paid_on_time"] + claims["late"]),
        "satisfaction_average": round(float(average), 2) if average is not None else None,
        "counts": {
            "conversations": conversations["total"],
            "contained": conversations["contained"],
            "handed_off": conversations["handed_off"],
            "complaints": complaints["total"],
            "complaints_answered_in_time": complaints["on_time"],
            "complaints_late": complaints["late"],
            "complaints_pending": complaints["pending"],
            "claims_approved": claims["approved"],
            "claims_paid_on_time": claims["paid_on_time"],
            "claims_late": claims["late"],
            "claims_pending": claims["pending"],
            "ratings": count,
        },
    }
