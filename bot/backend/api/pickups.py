"""Pickup booking route."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from bot.backend.api.deps import endpoint_of, idempotency_key
from bot.backend.db import get_session
from bot.backend.schemas import PickupIn
from bot.backend.services import pickups
from bot.backend.services.idempotency import run_once

router = APIRouter(prefix="/pickups", tags=["pickups"])


@router.post("", status_code=201)
def book_pickup(body: PickupIn, request: Request, session: Session = Depends(get_session),
                key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), body.dict(), lambda: (201, pickups.book(session, body)))
