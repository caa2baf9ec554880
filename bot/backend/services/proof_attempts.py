"""Identity proofs that cannot be brute-forced: wrong answers counted per parcel and per phone, then locked.

Two subjects: a parcel (the last 4 digits of its sender's or receiver's phone) and a phone (the last 4 digits
of a tracking number on that phone's complaints or claims). The counts live in the database
(failure_counter), so changing chat, channel or backend worker gives a guesser no fresh tries. While locked,
every answer is the same 429 `verification_locked` whatever the digits, so the lock is no oracle.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.backend.errors import ApiError
from bot.backend.schemas import normalize_phone
from bot.backend.services import failure_counter
from bot.backend.services.failure_counter import Attempt, Locked
from bot.settings import get_settings

PARCEL, PHONE = "parcel", "phone"
_WHAT = {PARCEL: "该单号的验证", PHONE: "这个手机号的查询核对"}


def limit() -> failure_counter.Limit:
    settings = get_settings()
    return failure_counter.Limit(
        max_failures=max(1, settings.verification_max_failures),
        window=timedelta(minutes=settings.verification_window_minutes),
        lockout=timedelta(minutes=settings.verification_lockout_minutes),
    )


def locked_error(scope: str, retry_after_s: int) -> ApiError:
    minutes = max(1, math.ceil(retry_after_s / 60))
    return ApiError(429, "verification_locked",
                    f"为了您的信息安全，{_WHAT[scope]}已暂时锁定，请 {minutes} 分钟后再试；"
                    "如需帮助，可以联系人工客服为您核实。",
                    retry_after_s=retry_after_s)


def begin(session: Session, scope: str, subject: str) -> Attempt:
    """Count an attempt before its proof is checked; 429 while the subject is locked."""
    try:
        return failure_counter.count_attempt(session, scope, subject, limit())
    except Locked as locked:
        raise locked_error(scope, locked.retry_after_s) from None


def passed(session: Session, scope: str, subject: str) -> None:
    failure_counter.clear(session, scope, subject, limit())


def failure_detail(attempt: Attempt) -> dict[str, Any]:
    """What a wrong answer may tell: how many tries are left, and the wait when that one used the last."""
    extra: dict[str, Any] = {"attempts_left": attempt.left}
    if attempt.left == 0:
        extra["retry_after_s"] = attempt.lockout_s
    return extra


def tickets_with_proof(session: Session, phone: str, tracking_last4: str,
                       find: Callable[[Session, str, str], list[dict[str, Any]]]) -> dict[str, Any]:
    """A phone's tickets whose parcel number ends in `tracking_last4`, counted as a proof of that phone."""
    try:
        subject = normalize_phone(phone[:32])
    except ValueError as exc:
        raise ApiError(422, "invalid_phone", "手机号格式不正确，请核对后再试。") from exc
    attempt = begin(session, PHONE, subject)
    items = find(session, subject, tracking_last4)
    if items:
        passed(session, PHONE, subject)
        return {"items": items}
    return {"items": [], **failure_detail(attempt)}
