"""Complaint routes: create, look up by number or phone, move through the stages."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from bot.backend.api.deps import endpoint_of, idempotency_key
from bot.backend.db import get_session
from bot.backend.schemas import ComplaintIn, StageIn, VerifyIn
from bot.backend.services import complaints, proof_attempts, ticket_access
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
    """A phone's complaints (for agents); with tracking_last4 only those whose parcel number ends so, which is a
    customer's proof of the phone: wrong endings are counted per phone across chats, then locked (429)."""
    if tracking_last4 is not None:
        return proof_attempts.tickets_with_proof(session, phone, tracking_last4, complaints.list_by_phone)
    return {"items": complaints.list_by_phone(session, phone, tracking_last4)}


@router.get("/count")
def complaint_count_by_phone(phone: str = Query(..., max_length=32),
                             session: Session = Depends(get_session)) -> dict[str, int]:
    """How many complaints a phone has (total, open): what a customer may learn without proof."""
    return complaints.count_by_phone(session, phone)


@router.get("/{number}")
def get_complaint(number: str, request: Request, session: Session = Depends(get_session)) -> dict[str, Any]:
    """Details for the chat that filed it (X-Conversation-Id); for anyone else only its stage (rate-limited)."""
    return ticket_access.look_up(session, complaints.KIND, number, ticket_access.asker_of(request))


@router.post("/{number}/verify")
def verify_complaint(number: str, body: VerifyIn, request: Request,
                     session: Session = Depends(get_session)) -> dict[str, Any]:
    """Details with the last 4 digits of the complaint's contact phone; wrong digits count against the ticket."""
    return ticket_access.verify(session, complaints.KIND, number, body.phone_last4, ticket_access.asker_of(request))


@router.post("/{number}/stage")
def change_stage(number: str, body: StageIn, request: Request, session: Session = Depends(get_session),
                 key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), body.dict(),
                    lambda: (200, complaints.change_stage(session, number, body.stage, body.note)))
