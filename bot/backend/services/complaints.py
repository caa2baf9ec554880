"""Complaint tickets: a closed loop registered → verifying → handling → feedback_given → archived."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.backend.clock import iso, utcnow
from bot.backend.errors import ApiError
from bot.backend.models import Complaint, ComplaintStage
from bot.backend.privacy import mask_phone
from bot.backend.schemas import ComplaintIn, normalize_phone
from bot.backend.services.numbering import ticket_number
from bot.backend.services.ticket_access import TicketKind
from bot.settings import get_settings
from bot.vocabulary.ticket_numbers import parse

STAGES = ("registered", "verifying", "handling", "feedback_given", "archived")
STAGE_TEXT = {
    "registered": "已登记",
    "verifying": "核实中",
    "handling": "处理中",
    "feedback_given": "已反馈处理结果",
    "archived": "已归档",
}
# Stages in which a ticket is still being worked on
OPEN_STAGES = ("registered", "verifying", "handling")
CATEGORY_TEXT = {
    "delay": "快件延误", "damage": "快件破损", "loss": "快件丢失", "attitude": "服务态度",
    "pickup": "上门取件", "delivery": "派送问题", "other": "其他",
}


def to_dict(complaint: Complaint) -> dict[str, Any]:
    now = utcnow()
    return {
        "number": complaint.number,
        "kind": "complaint",
        "details": True,
        "category": complaint.category,
        "category_text": CATEGORY_TEXT.get(complaint.category, complaint.category),
        "description": complaint.description,
        "contact_phone": mask_phone(complaint.contact_phone),
        "tracking_number": complaint.tracking_number,
        "channel": complaint.channel,
        "stage": complaint.stage,
        "stage_text": STAGE_TEXT[complaint.stage],
        "created_at": iso(complaint.created_at),
        "response_due_at": iso(complaint.response_due_at),
        "first_response_at": iso(complaint.first_response_at),
        "is_overdue": complaint.first_response_at is None and complaint.response_due_at < now,
        "history": [{"stage": row.stage, "stage_text": STAGE_TEXT[row.stage], "at": iso(row.at), "note": row.note}
                    for row in complaint.history],
    }


def summary(complaint: Complaint) -> dict[str, Any]:
    """All a ticket number alone may tell: the ticket exists, and its stage."""
    return {"number": complaint.number, "kind": "complaint", "stage": complaint.stage,
            "stage_text": STAGE_TEXT[complaint.stage], "details": False, "proof": "contact_phone_last4"}


def create(session: Session, body: ComplaintIn) -> dict[str, Any]:
    now = utcnow()
    complaint = Complaint(
        number=ticket_number(session, "CP", Complaint), category=body.category, description=body.description,
        contact_phone=body.contact_phone, tracking_number=body.tracking_number, channel=body.channel,
        conversation_id=body.conversation_id, stage="registered", created_at=now,
        response_due_at=now + timedelta(hours=get_settings().complaint_response_hours),
    )
    session.add(complaint)
    session.flush()
    session.add(ComplaintStage(complaint_id=complaint.id, stage="registered", at=now))
    session.flush()
    session.refresh(complaint)
    return to_dict(complaint)


def find(session: Session, number: str) -> Complaint | None:
    parsed = parse("CP", number)
    if parsed is None:
        return None
    return session.execute(select(Complaint).where(Complaint.number == parsed)).scalar_one_or_none()


def not_found() -> ApiError:
    return ApiError(404, "complaint_not_found", "抱歉，没有找到这个投诉单号，请核对后再试（例如 CP583920174468）。")


def get(session: Session, number: str) -> Complaint:
    complaint = find(session, number)
    if complaint is None:
        raise not_found()
    return complaint


KIND = TicketKind(prefix="CP", find=find, full=lambda _session, row: to_dict(row), summary=summary,
                  not_found=not_found)


def _phone(raw: str) -> str:
    try:
        return normalize_phone(raw[:32])
    except ValueError as exc:
        raise ApiError(422, "invalid_phone", "手机号格式不正确，请核对后再试。") from exc


def count_by_phone(session: Session, phone: str) -> dict[str, int]:
    """How many tickets a phone has and how many are still open: all a look-up by phone may tell a customer
    before they show the ticket number or the tracking number's last 4 digits."""
    rows = session.execute(
        select(Complaint.stage, func.count(Complaint.id))
        .where(Complaint.contact_phone == _phone(phone)).group_by(Complaint.stage)
    ).all()
    return {"total": sum(count for _stage, count in rows),
            "open": sum(count for stage, count in rows if stage in OPEN_STAGES)}


def list_by_phone(session: Session, phone: str, tracking_last4: str | None = None) -> list[dict[str, Any]]:
    """The phone's tickets, newest first; with `tracking_last4` only those whose parcel number ends so."""
    query = select(Complaint).where(Complaint.contact_phone == _phone(phone))
    if tracking_last4 is not None:
        query = query.where(Complaint.tracking_number.like(f"%{tracking_last4}"))
    rows = session.execute(
        query.order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(50)
    ).scalars().all()
    return [to_dict(row) for row in rows]


def change_stage(session: Session, number: str, stage: str, note: str | None) -> dict[str, Any]:
    complaint = get(session, number)
    if STAGES.index(stage) <= STAGES.index(complaint.stage):
        raise ApiError(409, "invalid_stage_transition",
                       f"投诉单当前为“{STAGE_TEXT[complaint.stage]}”，不能改为“{STAGE_TEXT[stage]}”。")
    now = utcnow()
    if complaint.first_response_at is None:
        complaint.first_response_at = now
    complaint.stage = stage
    session.add(ComplaintStage(complaint_id=complaint.id, stage=stage, note=note, at=now))
    session.flush()
    session.refresh(complaint)
    return to_dict(complaint)
