"""Who may learn what about a complaint or claim from its number, and how often anyone may ask.

- The conversation that filed a ticket (X-Conversation-Id = the ticket's conversation_id) sees its details at
  once and is never counted: a customer who files and then asks keeps a pleasant chat.
- Anybody else learns only that the ticket exists and its stage; the details need the last 4 digits of the
  ticket's contact phone. Wrong digits count per ticket across every chat (failure_counter, the same lock as
  tracking proofs: VERIFICATION_MAX_FAILURES within VERIFICATION_WINDOW_MINUTES lock it for
  VERIFICATION_LOCKOUT_MINUTES, answered 429 `verification_locked` whatever the digits).
- Those look-ups are rate-limited in the database, so every backend worker counts the same: per conversation,
  per API caller (key + client address), and a budget of not-found look-ups across everybody, each within
  TICKET_LOOKUP_WINDOW_S. Past any limit the answer is 429 `too_many_lookups` with `retry_after_s`, decided
  before the number is looked up, so a refusal says nothing about whether the number exists; and an unknown
  number gets the same 404 whoever asks.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.clock import utcnow
from bot.backend.errors import ApiError
from bot.backend.models import VerificationAttempts
from bot.backend.services import failure_counter
from bot.backend.services.failure_counter import Locked
from bot.backend.services.proof_attempts import limit as proof_limit
from bot.settings import get_settings

CONVERSATION, CALLER, MISSES, PROOF = "lk_conv", "lk_call", "lk_miss", "tk_proof"
_EVERYBODY = "*"


@dataclass(frozen=True)
class Asker:
    """Who asks: the chat (may be unknown) and the API caller, both as opaque digests."""

    conversation_id: str | None
    caller: str


def asker(conversation_id: str | None, api_key: str | None, address: str | None) -> Asker:
    conversation = (conversation_id or "").strip()[:1024] or None
    caller = _digest(f"{api_key or ''}\x1f{address or ''}")
    return Asker(conversation, caller)


def is_owner(ticket: Any, who: Asker) -> bool:
    return bool(who.conversation_id and ticket.conversation_id and ticket.conversation_id == who.conversation_id)


def count_lookup(session: Session, who: Asker) -> None:
    """Count one look-up by someone who is not the ticket's conversation, or 429 when a limit is used up."""
    settings = get_settings()
    _refuse_while_locked(session, MISSES, _EVERYBODY)
    if who.conversation_id:
        _count(session, CONVERSATION, _digest(who.conversation_id), settings.ticket_lookups_per_conversation)
    _count(session, CALLER, who.caller, settings.ticket_lookups_per_caller)


def count_miss(session: Session) -> None:
    """A look-up of a number that does not exist: it spends the budget every asker shares."""
    _count(session, MISSES, _EVERYBODY, get_settings().ticket_lookup_misses_global)


def begin_proof(session: Session, number: str) -> failure_counter.Attempt:
    """Count a proof for this ticket before its digits are checked; 429 while the ticket is locked."""
    try:
        return failure_counter.count_attempt(session, PROOF, number, proof_limit())
    except Locked as locked:
        minutes = max(1, math.ceil(locked.retry_after_s / 60))
        raise ApiError(429, "verification_locked",
                       f"为了您的信息安全，这张单的核对已暂时锁定，请 {minutes} 分钟后再试；"
                       "如需帮助，可以联系人工客服为您核实。", retry_after_s=locked.retry_after_s) from None


def proof_passed(session: Session, number: str) -> None:
    failure_counter.clear(session, PROOF, number, proof_limit())


def proof_failed(attempt: failure_counter.Attempt) -> ApiError:
    extra: dict[str, Any] = {"attempts_left": attempt.left}
    if attempt.left == 0:
        extra["retry_after_s"] = attempt.lockout_s
    return ApiError(403, "verification_failed", "抱歉，手机号后 4 位没有对上，请核对后再试。", **extra)


def _count(session: Session, scope: str, subject: str, most: int) -> None:
    window = timedelta(seconds=max(1, get_settings().ticket_lookup_window_s))
    limit = failure_counter.Limit(max_failures=max(1, most), window=window, lockout=window)
    try:
        failure_counter.count_attempt(session, scope, subject, limit)
    except Locked as locked:
        raise _too_many(locked.retry_after_s) from None


def _refuse_while_locked(session: Session, scope: str, subject: str) -> None:
    locked_until = session.execute(
        select(VerificationAttempts.locked_until)
        .where(VerificationAttempts.scope == scope, VerificationAttempts.subject == subject)
    ).scalar_one_or_none()
    wait = failure_counter.seconds_left(locked_until, utcnow())
    if wait:
        raise _too_many(wait)


def _too_many(retry_after_s: int) -> ApiError:
    minutes = max(1, math.ceil(retry_after_s / 60))
    return ApiError(429, "too_many_lookups",
                    f"抱歉，单号查询的次数有点多，为了保护大家的信息安全，请 {minutes} 分钟后再试。",
                    retry_after_s=retry_after_s)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
