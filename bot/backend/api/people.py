"""Customers, satisfaction ratings, conversation events and the KPI report."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from bot.backend.api.deps import endpoint_of, idempotency_key
from bot.backend.db import get_session
from bot.backend.schemas import ConversationEventIn, RatingIn
from bot.backend.services import customers, feedback, reports
from bot.backend.services.idempotency import run_once

router = APIRouter()


@router.get("/customers/by-phone/{phone}", tags=["customers"])
def customer_by_phone(phone: str, session: Session = Depends(get_session)) -> dict[str, Any]:
    return customers.by_phone(session, phone)


@router.post("/ratings", status_code=201, tags=["ratings"])
def add_rating(body: RatingIn, request: Request, session: Session = Depends(get_session),
               key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), body.dict(), lambda: (201, feedback.add_rating(session, body)))


@router.post("/conversations/{conversation_id}/events", status_code=201, tags=["conversations"])
def add_conversation_event(body: ConversationEventIn, request: Request,
                           conversation_id: str = Path(..., min_length=1, max_length=128),
                           session: Session = Depends(get_session),
                           key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), body.dict(),
                    lambda: (201, feedback.add_conversation_event(session, conversation_id, body)))


@router.get("/reports/kpi", tags=["reports"])
def kpi(days: int = Query(30, ge=1, le=3660), session: Session = Depends(get_session)) -> dict[str, Any]:
    return reports.kpi(session, days)
