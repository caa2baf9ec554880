"""Quote route: an itemised price, or a quote request for special cargo."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from bot.backend.api.deps import endpoint_of, idempotency_key
from bot.backend.db import get_session
from bot.backend.schemas import QuoteIn
from bot.backend.services import quotes
from bot.backend.services.idempotency import run_once

router = APIRouter(prefix="/quotes", tags=["quotes"])


@router.post("")
def create_quote(body: QuoteIn, request: Request, session: Session = Depends(get_session),
                 key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    parcel = quotes.Parcel(weight_kg=body.weight_kg, length_cm=body.length_cm, width_cm=body.width_cm,
                           height_cm=body.height_cm, needs_msds=body.needs_msds)

    def produce() -> tuple[int, dict]:
        return 200, quotes.quote(session, origin=body.origin, destination=body.destination, parcel=parcel,
                                 service_level=body.service_level, declared_value_fen=body.declared_value_fen,
                                 item=body.item, contact_phone=body.contact_phone)

    return run_once(session, key, endpoint_of(request), body.dict(), produce)
