"""Console login throttle: too many failed logins for one account, or from one client address, get a 429.

Settings (bot.settings): `CONSOLE_LOGIN_MAX_FAILURES` per account and `CONSOLE_LOGIN_MAX_FAILURES_PER_ADDRESS`
within `CONSOLE_LOGIN_WINDOW_S`; reaching either locks that account or address for `CONSOLE_LOGIN_LOCKOUT_S`.
A successful login clears its account's count.

The counts live in the backend database (table console_login_throttle), so every backend worker and instance
sees the same ones. Each key's row is written before it is read, which takes SQLite's write lock or
PostgreSQL's row lock: concurrent attempts on one key are counted one after the other. An attempt counts as a
failure before its password is checked and is taken back when the password was right, so a burst of parallel
guesses cannot all get past the limit while the first ones are still being checked.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from bot.backend.clock import utcnow
from bot.console.models import LoginThrottle
from bot.settings import get_settings

logger = logging.getLogger("bot.console")

ACCOUNT, ADDRESS = "account", "address"
_INSERT_RACES = 3


@dataclass(frozen=True)
class Key:
    scope: str
    subject: str
    limit: int


@dataclass
class Attempt:
    keys: list[Key]
    # Keys this attempt brought to their limit: locked now unless the password turns out to be right.
    reached: list[Key] = field(default_factory=list)


class TooManyAttempts(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"locked for {retry_after_s} s")
        self.retry_after_s = retry_after_s

    @property
    def message(self) -> str:
        minutes = math.ceil(self.retry_after_s / 60)
        wait = f"{self.retry_after_s} 秒" if self.retry_after_s < 60 else f"{minutes} 分钟"
        return f"抱歉，登录失败的次数有点多，为了账号安全，请 {wait}后再试。如果忘记了密码，请联系组长重置。"


def keys_for(username: str, address: str | None) -> list[Key]:
    settings = get_settings()
    keys = [Key(ACCOUNT, username.strip()[:128], settings.console_login_max_failures)]
    if address:
        keys.append(Key(ADDRESS, address[:128], settings.console_login_max_failures_per_address))
    return keys


def begin(session: Session, keys: list[Key]) -> Attempt:
    """Count this attempt against every key, or raise TooManyAttempts while one of them is locked."""
    for race in range(_INSERT_RACES):
        try:
            return _begin(session, keys)
        except IntegrityError:
            # Another worker created the same key's row first: start over, its row now exists.
            session.rollback()
            if race == _INSERT_RACES - 1:
                raise
    raise AssertionError("unreachable")


def failed(attempt: Attempt) -> None:
    for key in attempt.reached:
        logger.warning("console login: %s %s locked for %s s after %s failed attempts", key.scope,
                       key.subject, get_settings().console_login_lockout_s, key.limit)


def succeeded(session: Session, attempt: Attempt) -> None:
    """The password was right: the account starts afresh, and the address gets this attempt back."""
    now = utcnow()
    for key in attempt.keys:
        row = _locked_row(session, key, now)
        if key.scope == ACCOUNT:
            session.delete(row)
            continue
        row.failures = max(0, row.failures - 1)
        if row.failures < key.limit:
            row.locked_until = None
    session.commit()
    _forget_old_rows(session, now)


def _begin(session: Session, keys: list[Key]) -> Attempt:
    settings = get_settings()
    now = utcnow()
    rows = [_locked_row(session, key, now) for key in keys]
    wait = max((_seconds_left(row, now) for row in rows), default=0)
    if wait > 0:
        session.rollback()
        raise TooManyAttempts(wait)
    attempt = Attempt(keys)
    window_start = now - timedelta(seconds=settings.console_login_window_s)
    for key, row in zip(keys, rows, strict=True):
        if row.locked_until is not None or row.window_started_at <= window_start:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= key.limit:
            row.locked_until = now + timedelta(seconds=settings.console_login_lockout_s)
            attempt.reached.append(key)
    session.commit()
    return attempt


def _locked_row(session: Session, key: Key, now: datetime) -> LoginThrottle:
    match = and_(LoginThrottle.scope == key.scope, LoginThrottle.subject == key.subject)
    # A write before the read: it holds the row (PostgreSQL) or the database (SQLite) until commit.
    touched = session.execute(update(LoginThrottle).where(match).values(failures=LoginThrottle.failures))
    if touched.rowcount == 0:
        session.add(LoginThrottle(scope=key.scope, subject=key.subject, failures=0, window_started_at=now))
        session.flush()
    return session.execute(
        select(LoginThrottle).where(match).execution_options(populate_existing=True)
    ).scalar_one()


def _seconds_left(row: LoginThrottle, now: datetime) -> int:
    if row.locked_until is None or row.locked_until <= now:
        return 0
    return max(1, math.ceil((row.locked_until - now).total_seconds()))


def _forget_old_rows(session: Session, now: datetime) -> None:
    """Rows whose window and lock are long over say nothing any more (guessed usernames would pile up)."""
    settings = get_settings()
    horizon = now - timedelta(seconds=settings.console_login_window_s + settings.console_login_lockout_s)
    try:
        session.execute(delete(LoginThrottle).where(
            LoginThrottle.window_started_at < horizon,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < horizon)))
        session.commit()
    except DBAPIError:  # housekeeping only: a lock conflict with a login in progress can wait for next time
        session.rollback()
