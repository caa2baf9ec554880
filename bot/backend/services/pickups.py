"""Pickup booking: item check, estimated fee from the quote service, a new tracking number."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from bot.backend.clock import iso, utcnow
from bot.backend.errors import ApiError
from bot.backend.models import Parcel, ParcelEvent, Pickup
from bot.backend.schemas import PickupIn
from bot.backend.services import quotes
from bot.backend.services.numbering import daily_number, new_tracking_number
from bot.backend.services.places import resolve_place
from bot.backend.services.prohibited import check_item

DEFAULT_WEIGHT_KG = Decimal(1)


def book(session: Session, body: PickupIn) -> dict[str, Any]:
    refusal = check_item(body.item)
    if refusal:
        raise ApiError(422, "prohibited_item", f"非常抱歉，“{refusal.keyword}”属于禁寄物品，无法为您安排寄递。",
                       reason=refusal.reason, category=refusal.category)
    origin = resolve_place(body.origin, "origin")
    destination = resolve_place(body.destination, "destination")
    weight = body.weight_kg or DEFAULT_WEIGHT_KG
    priced = quotes.quote(session, origin=origin.name, destination=destination.name,
                          parcel=quotes.Parcel(weight_kg=weight), service_level=body.service_level,
                          declared_value_fen=body.declared_value_fen, item=body.item,
                          contact_phone=body.sender_phone)
    fee = priced["total_fen"] if priced["quotable"] else None
    now = utcnow()
    tracking_number = new_tracking_number(session)
    pickup = Pickup(
        pickup_id=daily_number(session, "PU"), tracking_number=tracking_number, sender_name=body.sender_name,
        sender_phone=body.sender_phone, pickup_address=body.pickup_address, origin=origin.name,
        destination=destination.name, item=body.item, time_window=body.time_window,
        weight_g=int(weight * 1000), service_level=body.service_level, receiver_name=body.receiver_name,
        receiver_phone=body.receiver_phone, receiver_address=body.receiver_address, estimated_fee_fen=fee,
        status="scheduled", conversation_id=body.conversation_id, created_at=now,
    )
    parcel = Parcel(
        tracking_number=tracking_number, status="pickup_scheduled", service_level=body.service_level,
        origin_city=origin.name, destination_city=destination.name, current_city=origin.name,
        sender_name=body.sender_name, sender_phone=body.sender_phone, sender_address=body.pickup_address,
        receiver_name=body.receiver_name or "", receiver_phone=body.receiver_phone or "",
        receiver_address=body.receiver_address or "", weight_g=int(weight * 1000), freight_fen=fee or 0,
        insured=bool(body.declared_value_fen), declared_value_fen=body.declared_value_fen, created_at=now,
    )
    session.add_all([pickup, parcel])
    session.flush()
    session.add(ParcelEvent(parcel_id=parcel.id, time=now, city=origin.name, status="pickup_scheduled",
                            description=f"已预约上门取件，时间：{body.time_window}"))
    result: dict[str, Any] = {
        "pickup_id": pickup.pickup_id,
        "tracking_number": tracking_number,
        "estimated_fee_fen": fee,
        "time_window": body.time_window,
        "status": pickup.status,
        "origin": origin.name,
        "destination": destination.name,
        "created_at": iso(now),
    }
    if priced["quotable"]:
        result["quote"] = {"items": priced["items"], "zone": priced["zone"], "zone_text": priced["zone_text"],
                           "delivery_text": priced["delivery_text"]}
    else:
        result["quote_request"] = priced["quote_request"]
        result["fee_note"] = priced["message"]
    return result
