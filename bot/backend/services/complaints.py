"""Complaint tickets: a closed loop registered → verifying → handling → feedback_given → archived."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.backend.clock import iso, utcnow
from bot.backend.errors import ApiError
from bot.backend.models import Complaint, ComplaintStage
from bot.backend.privacy import mask_phone
from bot.backend.schemas import ComplaintIn
from bot.backend.services import tickets
from bot.backend.services.numbering import ticket_number
from bot.backend.services.ticket_access import TicketKind
from bot.settings import get_settings
from bot.vocabulary.ticket_numbers import COMPLAINT

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
        "history": tickets.history(complaint.history, STAGE_TEXT),
    }


def summary(complaint: Complaint) -> dict[str, Any]:
    return tickets.summary(complaint, "complaint", STAGE_TEXT)


def create(session: Session, body: ComplaintIn) -> dict[str, Any]:
    now = utcnow()
    complaint = Complaint(
        number=ticket_number(session, COMPLAINT, Complaint), category=body.category, description=body.description,
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
    return tickets.find(session, Complaint, COMPLAINT, number)


def not_found() -> ApiError:
    return ApiError(404, "complaint_not_found", "抱歉，没有找到这个投诉单号，请核对后再试（例如 CP583920174468）。")


def get(session: Session, number: str) -> Complaint:
    return tickets.existing(find(session, number), not_found)


KIND = TicketKind(prefix=COMPLAINT, find=find, full=lambda _session, row: to_dict(row), summary=summary,
                  not_found=not_found)


def count_by_phone(session: Session, phone: str) -> dict[str, int]:
    return tickets.count_by_phone(session, Complaint, phone, OPEN_STAGES)


def list_by_phone(session: Session, phone: str, tracking_last4: str | None = None) -> list[dict[str, Any]]:
    return tickets.list_by_phone(session, Complaint, phone, tracking_last4, to_dict)


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
