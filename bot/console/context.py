"""What the agent sees beside the chat: the customer, their tickets and parcel; and the quick actions."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from bot.backend.public import (
    ApiError,
    ClaimIn,
    ComplaintIn,
    chat_photos_held,
    claims_by_phone,
    complaints_by_phone,
    create_claim,
    create_complaint,
    customer_by_phone,
    evidence_for_conversation,
    find_parcel,
    open_chat_photo,
    open_evidence_photo,
    open_follow_up,
    parcel_summary,
)
from bot.console.models import Handoff
from bot.console.schemas import QuickClaimIn, QuickComplaintIn

_PHONE_SLOTS = ("phone", "complaint_phone", "claim_phone", "customer_checked_phone", "sender_phone")
_NUMBER_SLOTS = ("tracking_number", "complaint_tracking_number", "claim_tracking_number")


def _slots(handoff: Handoff) -> dict[str, Any]:
    return json.loads(handoff.slots_json or "{}")


def customer_phone(handoff: Handoff) -> str | None:
    slots = _slots(handoff)
    return handoff.customer_phone or next((str(slots[k]) for k in _PHONE_SLOTS if slots.get(k)), None)


def tracking_number(handoff: Handoff) -> str | None:
    slots = _slots(handoff)
    value = next((slots[k] for k in _NUMBER_SLOTS if slots.get(k)), None)
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


def _quietly(call, *args):  # type: ignore[no-untyped-def]
    try:
        return call(*args)
    except ApiError:
        return None


def parcel(session: Session, number: str) -> dict[str, Any]:
    """The parcel's summary and its open 催件 follow-up (the outlet owes the customer an answer by its due time)."""
    summary = parcel_summary(session, find_parcel(session, number))
    return {**summary, "follow_up": open_follow_up(session, summary["tracking_number"])}


def context(session: Session, handoff: Handoff) -> dict[str, Any]:
    phone = customer_phone(handoff)
    number = tracking_number(handoff)
    return {
        "customer": _quietly(customer_by_phone, session, phone) if phone else None,
        "complaints": (_quietly(complaints_by_phone, session, phone) or []) if phone else [],
        "claims": (_quietly(claims_by_phone, session, phone) or []) if phone else [],
        "parcel": _quietly(parcel, session, number) if number else None,
        "photos": photos(session, handoff),
    }


def photos(session: Session, handoff: Handoff) -> list[dict[str, Any]]:
    """The photos this conversation sent: its claims' evidence, then web chat photos no claim has taken yet
    (sent while the agent has the chat, say). Each with the console address that shows it to the agent."""
    base = f"/console/api/handoffs/{handoff.id}/photos"
    shown = [{"kind": "evidence", "claim_number": photo["claim_number"], "sent_at": photo["created_at"],
              "url": f"{base}/evidence/{photo['evidence_id']}"}
             for photo in evidence_for_conversation(session, handoff.conversation_id)]
    shown += [{"kind": "chat", "claim_number": None, "sent_at": photo["sent_at"],
               "url": f"{base}/chat/{photo['name']}"} for photo in chat_photos_held(handoff.conversation_id)]
    return shown


def photo(session: Session, handoff: Handoff, kind: str, name: str) -> tuple[bytes, str]:
    """One of the photos `photos` lists, only of this handoff's conversation."""
    if kind == "evidence" and name.isdigit() and len(name) < 12:
        return open_evidence_photo(session, int(name), handoff.conversation_id)
    if kind == "chat":
        return open_chat_photo(handoff.conversation_id, name)
    raise ApiError(404, "photo_not_found", "没有找到这张照片。")


def open_complaint(session: Session, handoff: Handoff, body: QuickComplaintIn) -> dict[str, Any]:
    phone = body.contact_phone or customer_phone(handoff)
    if not phone:
        raise ApiError(422, "phone_required", "请填写顾客的联系电话。")
    try:
        ticket = ComplaintIn(category=body.category, description=body.description, contact_phone=phone,
                             tracking_number=body.tracking_number or tracking_number(handoff),
                             channel=handoff.channel[:16], conversation_id=handoff.conversation_id)
    except ValueError as error:
        raise ApiError(422, "invalid_complaint", "投诉内容不完整或格式不对，请检查类别和电话。",
                       problem=str(error)[:300]) from error
    created = create_complaint(session, ticket)
    session.commit()
    return created


def open_claim(session: Session, handoff: Handoff, body: QuickClaimIn) -> dict[str, Any]:
    phone = body.contact_phone or customer_phone(handoff)
    if not phone:
        raise ApiError(422, "phone_required", "请填写顾客的联系电话。")
    try:
        ticket = ClaimIn(tracking_number=body.tracking_number, claim_type=body.claim_type,
                         description=body.description, contact_phone=phone, insured=body.insured,
                         declared_value_fen=body.declared_value_fen, claimed_amount_fen=body.claimed_amount_fen,
                         conversation_id=handoff.conversation_id)
    except ValueError as error:
        raise ApiError(422, "invalid_claim", "理赔信息不完整或格式不对，请检查单号、类型和电话。",
                       problem=str(error)[:300]) from error
    created = create_claim(session, ticket)
    session.commit()
    return created
