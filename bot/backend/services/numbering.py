"""Ticket and tracking numbers: random ticket numbers nobody can guess, tracking numbers from a database counter.

Tracking numbers come from a counter, so every process and database hands out each once. Ticket numbers are
drawn at random (bot/vocabulary/ticket_numbers.py) and checked against the table; the unique index settles the
one-in-10^10 race between two workers drawing the same number at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.backend.clock import local_today, utcnow
from bot.backend.models import Counter
from bot.vocabulary.ticket_numbers import new_number

# New parcels booked through pickups use this range; seeded demo parcels live below it.
TRACKING_BASE = 200_000_000_000


def next_value(session: Session, name: str, start: int = 0) -> int:
    """Increment and return the counter `name` (first value start + 1) inside the caller's transaction.

    One upsert statement, so two requests can never read the same value (the row stays locked until commit).
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Counter).values(name=name, value=start + 1)
    statement = statement.on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
    session.execute(statement)
    return int(session.execute(select(Counter.value).where(Counter.name == name)).scalar_one())


def daily_number(session: Session, prefix: str) -> str:
    """PREFIX + yyyymmdd + 3-digit sequence of that day, e.g. QR20261123001: quote requests and pickups, which
    nobody looks up by number. Guessable, so never for complaints or claims (see ticket_number)."""
    day = local_today(utcnow()).strftime("%Y%m%d")
    seq = next_value(session, f"{prefix}{day}")
    return f"{prefix}{day}{seq:03d}"


def ticket_number(session: Session, prefix: str, model: Any) -> str:
    """A random PREFIX + 12-digit number not yet used by `model` (Complaint or Claim)."""
    for _ in range(20):
        number = new_number(prefix)
        if session.execute(select(model.id).where(model.number == number)).first() is None:
            return number
    raise RuntimeError(f"no free {prefix} number in 20 draws")  # 7 × 10^10 numbers: cannot happen in practice


def new_tracking_number(session: Session) -> str:
    return f"ZT{next_value(session, 'ZT', TRACKING_BASE):012d}"
