"""Console login backoff: guesses slow down where they come from, and nobody can lock an agent out.

Three keys count failed logins (settings in bot.settings, `console_login_*`):
- pair (account + client address): `free_failures` failures, then the next attempt waits `backoff_s`, doubled
  after every further failure up to `max_backoff_s`. An attacker's address slows down only for that account.
- address (every account from one address): past `max_failures_per_address` (high: a call centre's office
  shares one address) the address backs off the same way — a password spray slows to one guess per
  `max_backoff_s` — but only for accounts that never logged in from there.
- account (every address): past `max_failures`, addresses where the account never logged in back off too, so
  guesses spread over many addresses slow down as well.
An agent's usual places (addresses of their successful logins within `known_place_days`) are held back only by
their own pair: an attacker elsewhere cannot make the real agent wait. A key's failures are forgotten after
`window_s` without a new one (never sooner than twice the longest wait, or waiting would wipe the count).

The rows live in the backend database (console_login_backoff, console_login_places), so every backend worker
and instance sees the same ones. Each key's row is written before it is read, which takes SQLite's write lock
or PostgreSQL's row lock, always in the same key order: concurrent attempts on one key are counted one after
the other. An attempt counts as a failure before its password is checked and is taken back when the password
was right, so a burst of parallel guesses cannot all get past the backoff while the first ones are checked.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from bot.backend.public import utcnow
from bot.console.models import KnownLoginPlace, LoginBackoff
from bot.settings import get_settings

logger = logging.getLogger("bot.console")

ACCOUNT, ADDRESS, PAIR = "account", "address", "pair"
_INSERT_RACES = 3
_MAX_DOUBLINGS = 30


@dataclass(frozen=True)
class Key:
    scope: str
    subject: str
    free: int  # failures before this key makes attempts wait
    # Whether an attempt from one of the account's usual places waits for this key.
    binds_usual_place: bool


@dataclass
class Attempt:
    username: str
    address: str | None
    keys: list[Key]
    # What this attempt changed, per key subject: (its blocked_until before, the one it set), to take back.
    changes: dict[tuple[str, str], tuple[datetime | None, datetime | None]] = field(default_factory=dict)
    backing_off: list[Key] = field(default_factory=list)


class TooManyAttempts(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"wait {retry_after_s} s")
        self.retry_after_s = retry_after_s

    @property
    def message(self) -> str:
        minutes = math.ceil(self.retry_after_s / 60)
        wait = f"{self.retry_after_s} 秒" if self.retry_after_s < 60 else f"{minutes} 分钟"
        return f"抱歉，登录失败的次数有点多，为了账号安全，请 {wait}后再试。如果忘记了密码，请联系组长重置。"


def keys_for(username: str, address: str | None) -> list[Key]:
    """The keys an attempt counts against, in the order their rows are locked (the same for everyone)."""
    settings = get_settings()
    account = username.strip()[:64]
    keys = [Key(ACCOUNT, account, settings.console_login_max_failures, binds_usual_place=False)]
    if address:
        address = address[:128]
        keys.append(Key(ADDRESS, address, settings.console_login_max_failures_per_address, binds_usual_place=False))
        keys.append(Key(PAIR, f"{account}\n{address}", settings.console_login_free_failures, binds_usual_place=True))
    return keys


def begin(session: Session, username: str, address: str | None) -> Attempt:
    """Count this attempt against every key, or raise TooManyAttempts while one that applies says wait."""
    attempt = Attempt(username.strip()[:64], address[:128] if address else None, keys_for(username, address))
    for race in range(_INSERT_RACES):
        try:
            _begin(session, attempt)
            return attempt
        except IntegrityError:
            # Another worker created the same key's row first: start over, its row now exists.
            session.rollback()
            attempt.changes.clear()
            attempt.backing_off.clear()
            if race == _INSERT_RACES - 1:
                raise
    raise AssertionError("unreachable")


def failed(attempt: Attempt) -> None:
    for key in attempt.backing_off:
        logger.warning("console login: %s %r backs off after %s failed attempts", key.scope,
                       key.subject.replace("\n", " @ ")[:200], key.free)


def succeeded(session: Session, attempt: Attempt) -> None:
    """The password was right: the pair starts afresh, the other keys get this attempt back, and the address
    becomes one of the account's usual places."""
    now = utcnow()
    for key in attempt.keys:
        row = _locked_row(session, key, now)
        if key.scope == PAIR:
            session.delete(row)
            continue
        row.failures = max(0, row.failures - 1)
        before, set_here = attempt.changes.get((key.scope, key.subject), (None, None))
        if set_here is not None and row.blocked_until == set_here:
            row.blocked_until = before
    if attempt.address:
        _remember_place(session, attempt.username, attempt.address, now)
    session.commit()
    _forget_old_rows(session, now)


def delay_s(failures: int, free: int) -> int:
    """How long the next attempt waits after `failures` failures on a key that allows `free` of them."""
    settings = get_settings()
    if failures < free:
        return 0
    doublings = min(failures - free, _MAX_DOUBLINGS)
    return min(settings.console_login_max_backoff_s, settings.console_login_backoff_s * 2 ** doublings)


def memory_s() -> int:
    settings = get_settings()
    return max(settings.console_login_window_s, 2 * settings.console_login_max_backoff_s)


def _begin(session: Session, attempt: Attempt) -> None:
    now = utcnow()
    usual_place = attempt.address is not None and _is_usual_place(session, attempt.username, attempt.address, now)
    rows = [_locked_row(session, key, now) for key in attempt.keys]
    forget_before = now - timedelta(seconds=memory_s())
    for row in rows:
        if row.last_failure_at < forget_before:
            row.failures, row.blocked_until = 0, None
    wait = max((_seconds_left(row, now) for key, row in zip(attempt.keys, rows, strict=True)
                if key.binds_usual_place or not usual_place), default=0)
    if wait > 0:
        # Not counted: waiting it out is the only way on, and hammering the door does not make it longer.
        session.rollback()
        raise TooManyAttempts(wait)
    for key, row in zip(attempt.keys, rows, strict=True):
        before = row.blocked_until
        row.failures += 1
        row.last_failure_at = now
        wait_s = delay_s(row.failures, key.free)
        if wait_s:
            row.blocked_until = now + timedelta(seconds=wait_s)
            attempt.changes[(key.scope, key.subject)] = (before, row.blocked_until)
            if row.failures == key.free:
                attempt.backing_off.append(key)
    session.commit()


def _is_usual_place(session: Session, username: str, address: str, now: datetime) -> bool:
    since = now - timedelta(days=get_settings().console_login_known_place_days)
    place = session.get(KnownLoginPlace, (username, address))
    return place is not None and place.last_login_at >= since


def _remember_place(session: Session, username: str, address: str, now: datetime) -> None:
    match = and_(KnownLoginPlace.username == username, KnownLoginPlace.address == address)
    if session.execute(update(KnownLoginPlace).where(match).values(last_login_at=now)).rowcount == 0:
        session.add(KnownLoginPlace(username=username, address=address, last_login_at=now))


def _locked_row(session: Session, key: Key, now: datetime) -> LoginBackoff:
    match = and_(LoginBackoff.scope == key.scope, LoginBackoff.subject == key.subject)
    # A write before the read: it holds the row (PostgreSQL) or the database (SQLite) until commit.
    touched = session.execute(update(LoginBackoff).where(match).values(failures=LoginBackoff.failures))
    if touched.rowcount == 0:
        session.add(LoginBackoff(scope=key.scope, subject=key.subject, failures=0, last_failure_at=now))
        session.flush()
    return session.execute(
        select(LoginBackoff).where(match).execution_options(populate_existing=True)
    ).scalar_one()


def _seconds_left(row: LoginBackoff, now: datetime) -> int:
    if row.blocked_until is None or row.blocked_until <= now:
        return 0
    return max(1, math.ceil((row.blocked_until - now).total_seconds()))


def _forget_old_rows(session: Session, now: datetime) -> None:
    """Counts nobody added to for a long time say nothing any more (guessed usernames would pile up), nor do
    places the agent stopped logging in from."""
    places_since = now - timedelta(days=get_settings().console_login_known_place_days)
    try:
        session.execute(delete(LoginBackoff).where(LoginBackoff.last_failure_at < now - timedelta(seconds=memory_s())))
        session.execute(delete(KnownLoginPlace).where(KnownLoginPlace.last_login_at < places_since))
        session.commit()
    except DBAPIError:  # housekeeping only: a lock conflict with a login in progress can wait for next time
        session.rollback()
