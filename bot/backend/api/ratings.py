"""Satisfaction ratings (1–5)."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from bot.backend.api.deps import endpoint_of, idempotency_key
from bot.backend.db import get_session
from bot.backend.schemas import RatingIn
from bot.backend.services import feedback
from bot.backend.services.idempotency import run_once

router = APIRouter(prefix="/ratings", tags=["ratings"])


@router.post("", status_code=201)
def add_rating(body: RatingIn, request: Request, session: Session = Depends(get_session),
               key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), body.dict(), lambda: (201, feedback.add_rating(session, body)))
