"""Claim routes: create, evidence upload, look up, decision, payment."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from bot.backend.api import tickets
from bot.backend.api.deps import endpoint_of, idempotency_key
from bot.backend.db import get_session
from bot.backend.schemas import ChatUploadIn, ClaimIn, DecisionIn
from bot.backend.services import chat_uploads, claims, evidence
from bot.backend.services.idempotency import run_once
from bot.settings import get_settings

router = APIRouter(prefix="/claims", tags=["claims"])


@router.post("", status_code=201)
def create_claim(body: ClaimIn, request: Request, session: Session = Depends(get_session),
                 key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), body.dict(), lambda: (201, claims.create(session, body)))


# GET "", GET /count, GET /{number}, POST /{number}/verify: the look-ups both ticket kinds share.
tickets.add_lookup_routes(router, claims, noun="claim", plural="claims")


@router.post("/{number}/evidence", status_code=201)
def upload_evidence(number: str, request: Request, file: UploadFile = File(...),
                    session: Session = Depends(get_session),
                    key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    # Read one byte past the limit so an oversized file is recognised without loading all of it.
    data = file.file.read(get_settings().evidence_max_bytes + 1)
    return run_once(session, key, endpoint_of(request), data,
                    lambda: (201, evidence.store(session, number, data, file.content_type)))


@router.post("/{number}/evidence/chat-upload", status_code=201)
def attach_chat_upload(number: str, body: ChatUploadIn, request: Request, session: Session = Depends(get_session),
                       key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    """A photo the customer sent from the web chat (held by POST /chat/uploads) becomes the claim's evidence."""
    answer = run_once(session, key, endpoint_of(request), body.dict(),
                      lambda: (201, chat_uploads.attach(session, number, body.upload)))
    # Committed: the claim keeps its own copy, so the held one goes (the agent's console shows it only once).
    chat_uploads.release(body.upload)
    return answer


@router.post("/{number}/decision")
def decide(number: str, body: DecisionIn, request: Request, session: Session = Depends(get_session),
           key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), body.dict(), lambda: (200, claims.decide(session, number, body)))


@router.post("/{number}/pay")
def pay(number: str, request: Request, session: Session = Depends(get_session),
        key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), {}, lambda: (200, claims.pay(session, number)))
