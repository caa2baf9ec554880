"""Tracking routes: summary, verification, details."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Depends, Header
from sqlalchemy.orm import Session

from bot.backend.db import get_session
from bot.backend.schemas import VerifyIn
from bot.backend.services import tracking

router = APIRouter(prefix="/parcels", tags=["tracking"])


@router.get("/{tracking_number}")
def parcel_summary(tracking_number: str, session: Session = Depends(get_session)) -> dict[str, Any]:
    parcel = tracking.find_parcel(session, tracking_number)
    return tracking.summary(session, parcel)


@router.post("/{tracking_number}/verify")
def verify_owner(tracking_number: str, body: VerifyIn, session: Session = Depends(get_session)) -> dict[str, Any]:
    # Verification is naturally safe to retry (a new token each time), so no idempotency record is kept.
    parcel = tracking.find_parcel(session, tracking_number)
    return tracking.verify(session, parcel, body.phone_last4)


@router.get("/{tracking_number}/details")
def parcel_details(tracking_number: str, session: Session = Depends(get_session),
                   x_verification_token: Optional[str] = Header(None, alias="X-Verification-Token"),
                   ) -> dict[str, Any]:
    parcel = tracking.find_parcel(session, tracking_number)
    tracking.require_token(session, parcel, x_verification_token)
    return tracking.details(session, parcel)
