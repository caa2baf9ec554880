"""Idempotency-Key handling: the first response to (key, endpoint) is stored with the write it describes,
in the same transaction, and replayed on retries."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.backend.clock import utcnow
from bot.backend.errors import ApiError
from bot.backend.models import IdempotencyRecord

MAX_KEY_LENGTH = 128


def request_hash(payload: Any) -> str:
    if isinstance(payload, bytes):
        return hashlib.sha256(payload).hexdigest()
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _stored(session: Session, key: str, endpoint: str) -> IdempotencyRecord | None:
    return session.execute(
        select(IdempotencyRecord).where(IdempotencyRecord.key == key, IdempotencyRecord.endpoint == endpoint)
    ).scalar_one_or_none()


def _replay(record: IdempotencyRecord, digest: str) -> JSONResponse:
    if record.request_hash != digest:
        raise ApiError(409, "idempotency_key_reused",
                       "这个 Idempotency-Key 已用于另一份不同的请求，请换一个新的键。")
    return JSONResponse(json.loads(record.body), status_code=record.status_code,
                        headers={"Idempotent-Replayed": "true"})


def run_once(session: Session, key: str | None, endpoint: str, payload: Any,
             produce: Callable[[], tuple[int, dict[str, Any]]]) -> JSONResponse:
    """Run `produce` (which writes through `session` without committing) at most once per key and endpoint."""
    if key is not None:
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ApiError(422, "invalid_idempotency_key", f"Idempotency-Key 需为 1 到 {MAX_KEY_LENGTH} 个字符。")
    if not key:
        status, body = produce()
        session.commit()
        return JSONResponse(body, status_code=status)
    digest = request_hash(payload)
    existing = _stored(session, key, endpoint)
    if existing is not None:
        return _replay(existing, digest)
    status, body = produce()
    session.add(IdempotencyRecord(key=key, endpoint=endpoint, request_hash=digest, status_code=status,
                                  body=json.dumps(body, ensure_ascii=False), created_at=utcnow()))
    try:
        session.commit()
    except IntegrityError:
        # A concurrent retry won the race: drop our copy of the write and answer with theirs.
        session.rollback()
        existing = _stored(session, key, endpoint)
        if existing is None:
            raise
        return _replay(existing, digest)
    return JSONResponse(body, status_code=status)
