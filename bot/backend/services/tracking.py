"""Parcel tracking: a summary for anyone, full details only with a verification token."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.backend.clock import iso, local_today, utcnow
from bot.backend.errors import ApiError
from bot.backend.models import Parcel, ParcelEvent, VerificationToken
from bot.backend.services import pod_photos, proof_attempts
from bot.settings import get_settings
from bot.vocabulary import tracking_numbers
from bot.vocabulary.phones import mask_phone

STATUS_TEXT = {
    "pickup_scheduled": "已预约上门取件，等待快递员揽收",
    "collected": "已揽收",
    "in_transit": "运输中",
    "at_hub": "已到达转运中心",
    "out_for_delivery": "派送中",
    "delivered": "已签收",
    "exception": "异常件",
    "delayed": "延误",
    "returned": "已退回",
}
FINAL_STATUSES = {"delivered", "returned"}


def normalize_tracking_number(raw: str) -> str:
    """Upper-case, spaces and dashes removed; 422 when it is not one of the formats we know."""
    text = tracking_numbers.normalise(raw)
    if text is None:
        raise ApiError(422, "invalid_tracking_number",
                       "这个单号格式不对哦，请核对后重新输入（例如 ZT 开头加 12 位数字）。")
    return text


def find_parcel(session: Session, raw_number: str) -> Parcel:
    number = normalize_tracking_number(raw_number)
    parcel = session.execute(select(Parcel).where(Parcel.tracking_number == number)).scalar_one_or_none()
    if parcel is None:
        raise ApiError(404, "parcel_not_found",
                       f"抱歉，暂时没有查到单号 {number} 的信息。请核对单号；刚寄出的快件可能需要稍后才能查到。",
                       tracking_number=number)
    return parcel


def _event_dict(event: ParcelEvent) -> dict[str, Any]:
    return {"time": iso(event.time), "city": event.city, "status": event.status,
            "status_text": STATUS_TEXT.get(event.status, event.status), "description": event.description}


def _last_event(session: Session, parcel: Parcel) -> ParcelEvent | None:
    return session.execute(
        select(ParcelEvent).where(ParcelEvent.parcel_id == parcel.id)
        .order_by(ParcelEvent.time.desc(), ParcelEvent.id.desc()).limit(1)
    ).scalar_one_or_none()


def summary(session: Session, parcel: Parcel) -> dict[str, Any]:
    """No phone at all, not even masked: a masked number shows the last four digits that verification asks for."""
    return _summary_dict(parcel, _last_event(session, parcel))


_SUMMARY_COLUMNS = (Parcel.id, Parcel.tracking_number, Parcel.status, Parcel.service_level, Parcel.origin_city,
                    Parcel.destination_city, Parcel.current_city, Parcel.eta, Parcel.courier_name,
                    Parcel.courier_phone)
_EVENT_COLUMNS = (ParcelEvent.time, ParcelEvent.city, ParcelEvent.status, ParcelEvent.description)


def summary_by_number(session: Session, raw_number: str) -> dict[str, Any]:
    """The summary with plain column reads: the hot path of every tracking question (two indexed lookups,
    no ORM objects), same answer as summary(find_parcel(...))."""
    number = normalize_tracking_number(raw_number)
    row = session.execute(select(*_SUMMARY_COLUMNS).where(Parcel.tracking_number == number)).first()
    if row is None:
        find_parcel(session, number)  # raises the 404 with its message
    last = session.execute(
        select(*_EVENT_COLUMNS).where(ParcelEvent.parcel_id == row.id)
        .order_by(ParcelEvent.time.desc(), ParcelEvent.id.desc()).limit(1)
    ).first()
    return _summary_dict(row, last)


def _summary_dict(parcel: Any, last: Any) -> dict[str, Any]:
    overdue = parcel.eta is not None and parcel.status not in FINAL_STATUSES and parcel.eta < local_today()
    return {
        "tracking_number": parcel.tracking_number,
        "status": parcel.status,
        "status_text": STATUS_TEXT.get(parcel.status, parcel.status),
        "service_level": parcel.service_level,
        "origin_city": parcel.origin_city,
        "destination_city": parcel.destination_city,
        "current_city": parcel.current_city,
        "eta": parcel.eta.isoformat() if parcel.eta else None,
        "last_event": _event_dict(last) if last else None,
        "is_delayed": parcel.status == "delayed" or overdue,
        "is_exception": parcel.status == "exception",
        "courier": courier(parcel, verified=False),
    }


def courier(parcel: Any, verified: bool) -> dict[str, Any] | None:
    """The courier out delivering the parcel, while it is out for delivery: the phone masked for anyone, in full
    for a verified customer (who may need to call them at the door)."""
    if parcel.status != "out_for_delivery" or not parcel.courier_name:
        return None
    phone = parcel.courier_phone if verified else mask_phone(parcel.courier_phone)
    return {"name": parcel.courier_name, "phone": phone}


def verify(session: Session, parcel: Parcel, phone_last4: str) -> dict[str, Any]:
    """A token for the details when the digits match; wrong digits are counted per parcel across every chat
    (proof_attempts), and while the parcel is locked the answer is the same 429 whatever the digits."""
    attempt = proof_attempts.begin(session, proof_attempts.PARCEL, parcel.tracking_number)
    if phone_last4 not in {parcel.sender_phone[-4:], parcel.receiver_phone[-4:]}:
        # Nothing about which digits were close, nor whose phone they were meant to match.
        raise ApiError(403, "verification_failed",
                       "抱歉，手机号后四位与该快件的寄件人或收件人不一致，请核对后再试。",
                       **proof_attempts.failure_detail(attempt))
    proof_attempts.passed(session, proof_attempts.PARCEL, parcel.tracking_number)
    now = utcnow()
    session.execute(delete(VerificationToken).where(VerificationToken.expires_at < now))
    token = VerificationToken(
        token=secrets.token_urlsafe(32), tracking_number=parcel.tracking_number,
        expires_at=now + timedelta(minutes=get_settings().verification_token_minutes),
    )
    session.add(token)
    session.commit()
    return {"token": token.token, "expires_at": iso(token.expires_at), "tracking_number": parcel.tracking_number}


def require_token(session: Session, parcel: Parcel, token: str | None) -> None:
    row = session.get(VerificationToken, token[:64]) if token else None
    if row is None or row.tracking_number != parcel.tracking_number or row.expires_at <= utcnow():
        raise ApiError(403, "verification_required",
                       "为保护您的隐私，查看详细信息前需要先验证寄件人或收件人手机号后四位。")


def details(session: Session, parcel: Parcel) -> dict[str, Any]:
    events = session.execute(
        select(ParcelEvent).where(ParcelEvent.parcel_id == parcel.id).order_by(ParcelEvent.time, ParcelEvent.id)
    ).scalars().all()
    result = summary(session, parcel)
    proof = None
    if parcel.status == "delivered" and parcel.signed_at:
        # The photo itself only through a signed link (GET …/pod-photo-link with the same token).
        proof = {"signed_by": parcel.signed_by, "signed_at": iso(parcel.signed_at),
                 "photo_available": pod_photos.stored_file(parcel) is not None}
    result.update({
        "events": [_event_dict(event) for event in events],
        "sender": {"name": parcel.sender_name, "phone": parcel.sender_phone, "address": parcel.sender_address},
        "receiver": {"name": parcel.receiver_name, "phone": parcel.receiver_phone,
                     "address": parcel.receiver_address},
        "proof_of_delivery": proof,
        "courier": courier(parcel, verified=True),
        "weight_kg": parcel.weight_g / 1000,
        "freight_fen": parcel.freight_fen,
        "insured": parcel.insured,
        "declared_value_fen": parcel.declared_value_fen,
    })
    return result
