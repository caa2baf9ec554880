"""Parcel notices: chats subscribe to a parcel; recording a key tracking event queues a notice for each
subscriber (an outbox the notifier delivers), so a status change is never lost when Rasa is briefly down."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.backend.clock import iso, local_today, utcnow
from bot.backend.errors import ApiError
from bot.backend.models import Parcel, ParcelEvent, ParcelNotice, ParcelSubscription
from bot.backend.services import pod_photos, tracking

NOTIFY_STATUSES = ("out_for_delivery", "exception", "delayed", "delivered")
# The next node of a parcel's journey, for `advance` (demo and console use).
NEXT_STATUS = {
    "pickup_scheduled": "collected",
    "collected": "in_transit",
    "in_transit": "at_hub",
    "at_hub": "out_for_delivery",
    "exception": "out_for_delivery",
    "delayed": "out_for_delivery",
    "out_for_delivery": "delivered",
}
DEFAULT_DESCRIPTION = {
    "collected": "【{city}】快递员已揽收",
    "in_transit": "快件已从【{city}】发出，正在运输途中",
    "at_hub": "快件已到达【{city}转运中心】",
    "out_for_delivery": "【{city}】快递员正在为您派送，请保持电话畅通",
    "delivered": "快件已签收，签收人：{signed_by}。感谢使用，期待再次为您服务",
    "exception": "【{city}】快件出现异常，网点正在处理",
    "delayed": "快件运输时效有所延误，给您带来不便敬请谅解",
    "returned": "快件已退回寄件人",
}


def subscribe(session: Session, parcel: Parcel, conversation_id: str, channel: str) -> dict[str, Any]:
    existing = session.execute(select(ParcelSubscription).where(
        ParcelSubscription.tracking_number == parcel.tracking_number,
        ParcelSubscription.conversation_id == conversation_id)).scalar_one_or_none()
    if existing is None:
        existing = ParcelSubscription(tracking_number=parcel.tracking_number, conversation_id=conversation_id,
                                      channel=channel, created_at=utcnow())
        session.add(existing)
        try:
            session.commit()
        except IntegrityError:  # the same chat subscribed twice at once: one row is enough
            session.rollback()
            existing = session.execute(select(ParcelSubscription).where(
                ParcelSubscription.tracking_number == parcel.tracking_number,
                ParcelSubscription.conversation_id == conversation_id)).scalar_one()
    elif existing.channel != channel:
        existing.channel = channel
        session.commit()
    return {"subscription_id": existing.id, "tracking_number": parcel.tracking_number,
            "conversation_id": conversation_id, "channel": existing.channel, "notify_on": list(NOTIFY_STATUSES)}


def record_event(session: Session, parcel: Parcel, status: str, city: str | None, description: str | None,
                 signed_by: str | None = None) -> dict[str, Any]:
    """Store a scan event, move the parcel to its status, and queue notices for key nodes (caller commits)."""
    if parcel.status in tracking.FINAL_STATUSES:
        raise ApiError(409, "parcel_final", f"该快件已{tracking.STATUS_TEXT[parcel.status]}，不能再记录新的状态。")
    now = utcnow()
    city = city or (parcel.destination_city if status in {"out_for_delivery", "delivered"} else parcel.current_city)
    if status == "delivered":
        parcel.signed_by = signed_by or "本人"
        parcel.signed_at = now  # the courier's app uploads the photo (PUT …/pod-photo)
    if status == "delayed" and parcel.eta and parcel.eta >= local_today(now):
        parcel.eta = local_today(now)
    text = description or DEFAULT_DESCRIPTION[status].format(city=city, signed_by=parcel.signed_by or "本人")
    parcel.status = status
    parcel.current_city = city
    event = ParcelEvent(parcel_id=parcel.id, time=now, city=city, status=status, description=text)
    session.add(event)
    queued = 0
    if status in NOTIFY_STATUSES:
        subscriptions = session.execute(select(ParcelSubscription).where(
            ParcelSubscription.tracking_number == parcel.tracking_number)).scalars().all()
        for subscription in subscriptions:
            session.add(ParcelNotice(
                subscription_id=subscription.id, tracking_number=parcel.tracking_number,
                conversation_id=subscription.conversation_id, channel=subscription.channel, status=status,
                city=city, description=text, event_time=now, state="pending", attempts=0, next_attempt_at=now,
                created_at=now))
            queued += 1
    session.flush()
    return {"event": {"time": iso(now), "city": city, "status": status,
                      "status_text": tracking.STATUS_TEXT[status], "description": text},
            "parcel": tracking.summary(session, parcel), "notices_queued": queued}


def advance(session: Session, parcel: Parcel) -> dict[str, Any]:
    following = NEXT_STATUS.get(parcel.status)
    if following is None:
        raise ApiError(409, "parcel_final", f"该快件已{tracking.STATUS_TEXT[parcel.status]}，没有下一个环节了。")
    result = record_event(session, parcel, following, None, None)
    if following == "delivered":
        pod_photos.store_demo(parcel)  # a demo delivery has no courier to take the photo
    return result


def notice_dict(notice: ParcelNotice) -> dict[str, Any]:
    return {"id": notice.id, "tracking_number": notice.tracking_number, "conversation_id": notice.conversation_id,
            "channel": notice.channel, "status": notice.status, "city": notice.city,
            "description": notice.description, "state": notice.state, "attempts": notice.attempts,
            "last_error": notice.last_error, "delivered_at": iso(notice.delivered_at),
            "created_at": iso(notice.created_at)}


def list_notices(session: Session, tracking_number: str | None, state: str | None) -> list[dict[str, Any]]:
    query = select(ParcelNotice).order_by(ParcelNotice.id.desc()).limit(100)
    if tracking_number:
        query = query.where(ParcelNotice.tracking_number == tracking.normalize_tracking_number(tracking_number))
    if state:
        query = query.where(ParcelNotice.state == state)
    return [notice_dict(row) for row in session.execute(query).scalars().all()]
