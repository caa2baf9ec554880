"""What complaints and claims share as tickets: finding one by number, its stage history, look-ups by phone.

Both tables have a `number` (CP… / CL…, bot/vocabulary/ticket_numbers.py), a `stage`, a `contact_phone`, a
`tracking_number`, `created_at` and a `history` of stage rows. The kind's service (services/complaints.py,
services/claims.py) passes its model and texts; what a ticket says in full stays the kind's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.backend.clock import iso
from bot.backend.errors import ApiError
from bot.backend.schemas import normalize_phone
from bot.vocabulary.ticket_numbers import parse


def find(session: Session, model: Any, prefix: str, number: str) -> Any | None:
    """The ticket with this number (any accepted spelling), or None."""
    parsed = parse(prefix, number)
    if parsed is None:
        return None
    return session.execute(select(model).where(model.number == parsed)).scalar_one_or_none()


def existing(ticket: Any | None, not_found: Callable[[], ApiError]) -> Any:
    """The ticket found, or the kind's 404."""
    if ticket is None:
        raise not_found()
    return ticket


def summary(ticket: Any, kind: str, stage_text: dict[str, str]) -> dict[str, Any]:
    """All a ticket number alone may tell: the ticket exists, and its stage (no amounts, no dates)."""
    return {"number": ticket.number, "kind": kind, "stage": ticket.stage, "stage_text": stage_text[ticket.stage],
            "details": False, "proof": "contact_phone_last4"}


def history(rows: Iterable[Any], stage_text: dict[str, str]) -> list[dict[str, Any]]:
    """A ticket's stage changes, oldest first, as the API shows them."""
    return [{"stage": row.stage, "stage_text": stage_text[row.stage], "at": iso(row.at), "note": row.note}
            for row in rows]


def contact_phone(raw: str) -> str:
    """A phone from a query string, normalised, or 422."""
    try:
        return normalize_phone(raw[:32])
    except ValueError as exc:
        raise ApiError(422, "invalid_phone", "手机号格式不正确，请核对后再试。") from exc


def count_by_phone(session: Session, model: Any, phone: str, open_stages: Iterable[str]) -> dict[str, int]:
    """How many tickets a phone has and how many are still open: all a look-up by phone may tell a customer
    before they show the ticket number or the tracking number's last 4 digits."""
    rows = session.execute(
        select(model.stage, func.count(model.id))
        .where(model.contact_phone == contact_phone(phone)).group_by(model.stage)
    ).all()
    still_open = set(open_stages)
    return {"total": sum(count for _stage, count in rows),
            "open": sum(count for stage, count in rows if stage in still_open)}


def list_by_phone(session: Session, model: Any, phone: str, tracking_last4: str | None,
                  describe: Callable[[Any], dict[str, Any]]) -> list[dict[str, Any]]:
    """The phone's tickets, newest first; with `tracking_last4` only those whose parcel number ends so."""
    query = select(model).where(model.contact_phone == contact_phone(phone))
    if tracking_last4 is not None:
        query = query.where(model.tracking_number.like(f"%{tracking_last4}"))
    rows = session.execute(
        query.order_by(model.created_at.desc(), model.id.desc()).limit(50)
    ).scalars().all()
    return [describe(row) for row in rows]
