"""Complaint routes: create, look up by number or phone, move through the stages."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from bot.backend.api import tickets
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


# GET "", GET /count, GET /{number}, POST /{number}/verify: the look-ups both ticket kinds share.
tickets.add_lookup_routes(router, complaints, noun="complaint", plural="complaints")


@router.post("/{number}/stage")
def change_stage(number: str, body: StageIn, request: Request, session: Session = Depends(get_session),
                 key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), body.dict(),
                    lambda: (200, complaints.change_stage(session, number, body.stage, body.note)))
