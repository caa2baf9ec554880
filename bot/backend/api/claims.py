"""Claim routes: create, evidence upload, look up, decision, payment."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from bot.backend.api.deps import endpoint_of, idempotency_key
from bot.backend.db import get_session
from bot.backend.schemas import ClaimIn, DecisionIn, VerifyIn
from bot.backend.services import claims, evidence, proof_attempts, ticket_access
from bot.backend.services.idempotency import run_once
from bot.settings import get_settings

router = APIRouter(prefix="/claims", tags=["claims"])


@router.post("", status_code=201)
def create_claim(body: ClaimIn, request: Request, session: Session = Depends(get_session),
                 key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), body.dict(), lambda: (201, claims.create(session, body)))


@router.get("")
def claims_by_phone(phone: str = Query(..., max_length=32),
                    tracking_last4: Optional[str] = Query(None, pattern=r"^[0-9]{4}$"),
                    session: Session = Depends(get_session)) -> dict[str, Any]:
    """A phone's claims (for agents); with tracking_last4 only those whose parcel number ends so, which is a
    customer's proof of the phone: wrong endings are counted per phone across chats, then locked (429)."""
    if tracking_last4 is not None:
        return proof_attempts.tickets_with_proof(session, phone, tracking_last4, claims.list_by_phone)
    return {"items": claims.list_by_phone(session, phone, tracking_last4)}


@router.get("/count")
def claim_count_by_phone(phone: str = Query(..., max_length=32),
                         session: Session = Depends(get_session)) -> dict[str, int]:
    """How many claims a phone has (total, open): what a customer may learn without proof."""
    return claims.count_by_phone(session, phone)


@router.get("/{number}")
def get_claim(number: str, request: Request, session: Session = Depends(get_session)) -> dict[str, Any]:
    """Details for the chat that filed it (X-Conversation-Id); for anyone else only its stage (rate-limited)."""
    return ticket_access.look_up(session, claims.KIND, number, ticket_access.asker_of(request))


@router.post("/{number}/verify")
def verify_claim(number: str, body: VerifyIn, request: Request,
                 session: Session = Depends(get_session)) -> dict[str, Any]:
    """Details with the last 4 digits of the claim's contact phone; wrong digits count against the ticket."""
    return ticket_access.verify(session, claims.KIND, number, body.phone_last4, ticket_access.asker_of(request))


@router.post("/{number}/evidence", status_code=201)
def upload_evidence(number: str, request: Request, file: UploadFile = File(...),
                    session: Session = Depends(get_session),
                    key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    # Read one byte past the limit so an oversized file is recognised without loading all of it.
    data = file.file.read(get_settings().evidence_max_bytes + 1)
    return run_once(session, key, endpoint_of(request), data,
                    lambda: (201, evidence.store(session, number, data, file.content_type)))


@router.post("/{number}/decision")
def decide(number: str, body: DecisionIn, request: Request, session: Session = Depends(get_session),
           key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), body.dict(), lambda: (200, claims.decide(session, number, body)))


@router.post("/{number}/pay")
def pay(number: str, request: Request, session: Session = Depends(get_session),
        key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), {}, lambda: (200, claims.pay(session, number)))
