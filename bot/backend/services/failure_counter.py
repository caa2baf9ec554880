"""Failed attempts per subject (a parcel, a phone), counted in the database with a lockout.

Every backend worker and instance shares the counts (table verification_attempts), so a guesser gains nothing
by changing chats, channels or workers. Same approach as the console's login throttle
(bot/console/login_throttle.py): each subject's row is written before it is read, which takes SQLite's write
lock or PostgreSQL's row lock, so concurrent attempts on one subject are counted one after the other. An
attempt counts as a failure BEFORE its proof is checked and the count is cleared when the proof was right, so
a burst of parallel guesses cannot all get past the limit while the first ones are still being checked.

Within one window the limit is a budget, not a rate: once it is used up the subject is locked, and when the
lock ends the window's count still stands, so each further wrong attempt in that window locks it again at
once (one try per lockout). An honest customer who mistypes a few times is not bothered; a guesser gets a
handful of tries a day instead of thousands. A right proof clears the subject's count.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from bot.backend.clock import utcnow
from bot.backend.models import VerificationAttempts

logger = logging.getLogger("bot.backend")

_INSERT_RACES = 3
SUBJECT_MAX = 64


@dataclass(frozen=True)
class Limit:
    max_failures: int
    window: timedelta
    lockout: timedelta


class Locked(Exception):
    """The subject is locked: nothing about the proof may be told until `retry_after_s` have passed."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"locked for {retry_after_s} s")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Attempt:
    """An attempt counted in advance: `left` tries remain if it fails (0: it locked the subject)."""

    left: int
    lockout_s: int


def count_attempt(session: Session, scope: str, subject: str, limit: Limit, now: datetime | None = None) -> Attempt:
    """Count this attempt as a failure, or raise Locked while the subject is locked (committed either way)."""
    for race in range(_INSERT_RACES):
        try:
            return _count(session, scope, subject[:SUBJECT_MAX], limit, now or utcnow())
        except IntegrityError:
            # Another worker created the same subject's row first: start over, its row now exists.
            session.rollback()
            if race == _INSERT_RACES - 1:
                raise
    raise AssertionError("unreachable")


def clear(session: Session, scope: str, subject: str, limit: Limit, now: datetime | None = None) -> None:
    """The proof was right: the subject starts afresh."""
    session.execute(delete(VerificationAttempts).where(_match(scope, subject[:SUBJECT_MAX])))
    session.commit()
    _forget_old_rows(session, limit, now or utcnow())


def seconds_left(locked_until: datetime | None, now: datetime) -> int:
    if locked_until is None or locked_until <= now:
        return 0
    return max(1, math.ceil((locked_until - now).total_seconds()))


def _count(session: Session, scope: str, subject: str, limit: Limit, now: datetime) -> Attempt:
    row = _locked_row(session, scope, subject, now)
    wait = seconds_left(row.locked_until, now)
    if wait > 0:
        session.rollback()
        raise Locked(wait)
    if row.window_started_at <= now - limit.window:
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= limit.max_failures:
        row.locked_until = now + limit.lockout
        if row.failures == limit.max_failures:
            logger.warning("verification: %s locked for %s after %s failed attempts", scope,
                           limit.lockout, limit.max_failures)
    session.commit()
    return Attempt(left=max(0, limit.max_failures - row.failures), lockout_s=int(limit.lockout.total_seconds()))


def _match(scope: str, subject: str):  # type: ignore[no-untyped-def]
    return and_(VerificationAttempts.scope == scope, VerificationAttempts.subject == subject)


def _locked_row(session: Session, scope: str, subject: str, now: datetime) -> VerificationAttempts:
    match = _match(scope, subject)
    # A write before the read: it holds the row (PostgreSQL) or the database (SQLite) until commit.
    touched = session.execute(update(VerificationAttempts).where(match)
                              .values(failures=VerificationAttempts.failures))
    if touched.rowcount == 0:
        session.add(VerificationAttempts(scope=scope, subject=subject, failures=0, window_started_at=now))
        session.flush()
    return session.execute(
        select(VerificationAttempts).where(match).execution_options(populate_existing=True)
    ).scalar_one()


def _forget_old_rows(session: Session, limit: Limit, now: datetime) -> None:
    """Rows whose window and lock are over say nothing any more (guessed numbers would pile up)."""
    horizon = now - limit.window
    try:
        session.execute(delete(VerificationAttempts).where(
            VerificationAttempts.window_started_at < horizon,
            or_(VerificationAttempts.locked_until.is_(None), VerificationAttempts.locked_until < now)))
        session.commit()
    except DBAPIError:  # housekeeping only: a lock conflict with an attempt in progress can wait for next time
        session.rollback()
