"""Complaint routes: create, look up by number or phone, move through the stages."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from bot.backend.api.deps import endpoint_of, idempotency_key
from bot.backend.db import get_session
from bot.backend.schemas import ComplaintIn, StageIn
from bot.backend.services import complaints
from bot.backend.services.idempotency import run_once

router = APIRouter(prefix="/complaints", tags=["complaints"])


@router.post("", status_code=201)
def create_complaint(body: ComplaintIn, request: Request, session: Session = Depends(get_session),
                     key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), body.dict(),
                    lambda: (201, complaints.create(session, body)))


@router.get("")
def complaints_by_phone(phone: str = Query(..., max_length=32),
                        tracking_last4: Optional[str] = Query(None, pattern=r"^[0-9]{4}$"),
                        session: Session = Depends(get_session)) -> dict[str, Any]:
    """A phone's complaints (for agents); with tracking_last4 only those whose parcel number ends so."""
    return {"items": complaints.list_by_phone(session, phone, tracking_last4)}


@router.get("/count")
def complaint_count_by_phone(phone: str = Query(..., max_length=32),
                             session: Session = Depends(get_session)) -> dict[str, int]:
    """How many complaints a phone has (total, open): what a customer may learn without proof."""
    return complaints.count_by_phone(session, phone)


@router.get("/{number}")
def get_complaint(number: str, session: Session = Depends(get_session)) -> dict[str, Any]:
    return complaints.to_dict(complaints.get(session, number))


@router.post("/{number}/stage")
def change_stage(number: str, body: StageIn, request: Request, session: Session = Depends(get_session),
                 key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), body.dict(),
                    lambda: (200, complaints.change_stage(session, number, body.stage, body.note)))
