"""Tracking routes: summary, verification, details, sign-off photo link and upload, subscriptions to notices,
scan events, follow-ups (催件)."""

from __future__ import annotations

from typing import Any, Literal, Optional

from fastapi import APIRouter, Depends, File, Header, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from bot.backend.api.deps import endpoint_of, idempotency_key
from bot.backend.db import get_session
from bot.backend.schemas import HurryIn, ParcelEventIn, SubscribeIn, VerifyIn
from bot.backend.services import follow_ups, notices, pod_photos, proof_attempts, tracking
from bot.backend.services.idempotency import run_once
from bot.backend.services.places import resolve_place
from bot.settings import get_settings

router = APIRouter(prefix="/parcels", tags=["tracking"])


@router.get("/{tracking_number}")
def parcel_summary(tracking_number: str, session: Session = Depends(get_session)) -> dict[str, Any]:
    return tracking.summary_by_number(session, tracking_number)


@router.post("/{tracking_number}/verify")
def verify_owner(tracking_number: str, body: VerifyIn, session: Session = Depends(get_session)) -> dict[str, Any]:
    # Verification is naturally safe to retry (a new token each time), so no idempotency record is kept.
    parcel = tracking.find_parcel(session, tracking_number)
    return tracking.verify(session, parcel, body.phone_last4)


@router.delete("/{tracking_number}/verification-lock")
def unlock_verification(tracking_number: str, session: Session = Depends(get_session)) -> dict[str, Any]:
    """An agent who has checked the caller another way (the hotline, a callback) lifts the parcel's lockout."""
    parcel = tracking.find_parcel(session, tracking_number)
    proof_attempts.passed(session, proof_attempts.PARCEL, parcel.tracking_number)
    return {"tracking_number": parcel.tracking_number, "locked": False}


@router.get("/{tracking_number}/details")
def parcel_details(tracking_number: str, session: Session = Depends(get_session),
                   x_verification_token: Optional[str] = Header(None, alias="X-Verification-Token"),
                   ) -> dict[str, Any]:
    parcel = tracking.find_parcel(session, tracking_number)
    tracking.require_token(session, parcel, x_verification_token)
    return tracking.details(session, parcel)


@router.get("/{tracking_number}/pod-photo-link")
def pod_photo_link(tracking_number: str, session: Session = Depends(get_session),
                   x_verification_token: Optional[str] = Header(None, alias="X-Verification-Token"),
                   ) -> dict[str, Any]:
    """A short-lived signed link to the sign-off photo, only with the parcel's verification token."""
    parcel = tracking.find_parcel(session, tracking_number)
    tracking.require_token(session, parcel, x_verification_token)
    return pod_photos.issue_link(parcel)


@router.put("/{tracking_number}/pod-photo", status_code=201)
def upload_pod_photo(tracking_number: str, request: Request, file: UploadFile = File(...),
                     session: Session = Depends(get_session),
                     key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    """The courier's app uploads the photo taken at delivery."""
    parcel = tracking.find_parcel(session, tracking_number)
    # One byte past the limit, so an oversized file is recognised without loading all of it.
    data = file.file.read(get_settings().evidence_max_bytes + 1)
    return run_once(session, key, endpoint_of(request), data,
                    lambda: (201, pod_photos.store(session, parcel, data, file.content_type)))


@router.post("/{tracking_number}/subscriptions", status_code=201)
def subscribe(tracking_number: str, body: SubscribeIn, session: Session = Depends(get_session)) -> dict[str, Any]:
    # Subscribing is naturally idempotent (one row per parcel and chat), so no idempotency record is kept.
    parcel = tracking.find_parcel(session, tracking_number)
    return notices.subscribe(session, parcel, body.conversation_id, body.channel)


@router.post("/{tracking_number}/follow-ups", status_code=201)
def hurry(tracking_number: str, body: HurryIn, session: Session = Depends(get_session)) -> JSONResponse:
    """催件: 201 with a new follow-up for the delivery outlet, 200 with the open one or why none is needed."""
    # Naturally idempotent (one open follow-up per parcel), so no idempotency record is kept.
    parcel = tracking.find_parcel(session, tracking_number)
    status, answer = follow_ups.hurry(session, parcel, body.conversation_id, body.channel)
    return JSONResponse(answer, status_code=status)


@router.post("/{tracking_number}/events", status_code=201)
def record_event(tracking_number: str, body: ParcelEventIn, request: Request, session: Session = Depends(get_session),
                 key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    """A scan event from the operations side; key nodes are pushed to subscribed chats."""
    parcel = tracking.find_parcel(session, tracking_number)
    city = resolve_place(body.city, "city").name if body.city else None
    return run_once(session, key, endpoint_of(request), body.dict(),
                    lambda: (201, notices.record_event(session, parcel, body.status, city, body.description,
                                                       body.signed_by)))


@router.post("/{tracking_number}/advance", status_code=201)
def advance(tracking_number: str, request: Request, session: Session = Depends(get_session),
            key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    """Move a parcel to the next node of its journey (demo and console use)."""
    parcel = tracking.find_parcel(session, tracking_number)
    return run_once(session, key, endpoint_of(request), {}, lambda: (201, notices.advance(session, parcel)))


notices_router = APIRouter(prefix="/notices", tags=["tracking"])


@notices_router.get("")
def list_notices(tracking_number: Optional[str] = Query(None, max_length=32),
                 state: Optional[Literal["pending", "delivered", "failed"]] = None,
                 session: Session = Depends(get_session)) -> dict[str, Any]:
    return {"items": notices.list_notices(session, tracking_number, state)}


follow_ups_router = APIRouter(prefix="/follow-ups", tags=["tracking"])


@follow_ups_router.get("")
def list_follow_ups(limit: int = Query(100, ge=1, le=500), session: Session = Depends(get_session)) -> dict[str, Any]:
    """Open follow-ups, the soonest due first."""
    return {"items": follow_ups.list_open(session, limit)}
