"""Claims: submitted → under_review → approved / rejected → paid, with the compensation cap and payout date."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.backend.clock import iso, local_today, utcnow
from bot.backend.errors import ApiError
from bot.backend.models import Claim, ClaimEvidence, ClaimStage, Parcel
from bot.backend.privacy import mask_phone
from bot.backend.schemas import ClaimIn, DecisionIn
from bot.backend.services import tickets
from bot.backend.services.compensation import compensation_cap
from bot.backend.services.numbering import ticket_number
from bot.backend.services.ticket_access import TicketKind
from bot.backend.services.tracking import find_parcel
from bot.backend.services.working_days import add_working_days
from bot.settings import get_settings
from bot.vocabulary.ticket_numbers import CLAIM

STAGE_TEXT = {
    "submitted": "已受理",
    "under_review": "审核中",
    "approved": "已核准，待付款",
    "rejected": "未通过",
    "paid": "已赔付",
}
# Stages in which a ticket is still being worked on
OPEN_STAGES = ("submitted", "under_review", "approved")
TYPE_TEXT = {"damage": "破损", "loss": "丢失", "missing": "少件", "delay": "延误"}


def to_dict(session: Session, claim: Claim) -> dict[str, Any]:
    evidence_count = session.execute(
        select(func.count(ClaimEvidence.id)).where(ClaimEvidence.claim_id == claim.id)
    ).scalar_one()
    cap = compensation_cap(claim.claim_type, claim.insured, claim.declared_value_fen, claim.freight_fen)
    return {
        "number": claim.number,
        "kind": "claim",
        "details": True,
        "tracking_number": claim.tracking_number,
        "claim_type": claim.claim_type,
        "claim_type_text": TYPE_TEXT[claim.claim_type],
        "insured": claim.insured,
        "declared_value_fen": claim.declared_value_fen,
        "freight_fen": claim.freight_fen,
        "claimed_amount_fen": claim.claimed_amount_fen,
        "contact_phone": mask_phone(claim.contact_phone),
        "stage": claim.stage,
        "stage_text": STAGE_TEXT[claim.stage],
        "compensation_cap_fen": claim.compensation_cap_fen,
        "cap_rule": claim.cap_rule,
        "cap_text": cap.text,
        "needs_manual_review": claim.needs_manual_review,
        "approved_amount_fen": claim.approved_amount_fen,
        "approved_at": iso(claim.approved_at),
        "payout_due_date": claim.payout_due_date.isoformat() if claim.payout_due_date else None,
        "paid_at": iso(claim.paid_at),
        "created_at": iso(claim.created_at),
        "evidence_count": evidence_count,
        "history": tickets.history(claim.history, STAGE_TEXT),
    }


def summary(claim: Claim) -> dict[str, Any]:
    return tickets.summary(claim, "claim", STAGE_TEXT)


def create(session: Session, body: ClaimIn) -> dict[str, Any]:
    parcel: Parcel = find_parcel(session, body.tracking_number)
    insured = parcel.insured if body.insured is None else body.insured
    declared = body.declared_value_fen if body.declared_value_fen is not None else parcel.declared_value_fen
    freight = body.freight_fen if body.freight_fen is not None else (parcel.freight_fen or None)
    cap = compensation_cap(body.claim_type, insured, declared, freight)
    limit = get_settings().claim_auto_limit_fen
    needs_review = cap.amount_fen > limit or (body.claimed_amount_fen or 0) > limit
    now = utcnow()
    claim = Claim(
        number=ticket_number(session, CLAIM, Claim), tracking_number=parcel.tracking_number, claim_type=body.claim_type,
        insured=insured, declared_value_fen=declared, freight_fen=freight,
        claimed_amount_fen=body.claimed_amount_fen, description=body.description,
        contact_phone=body.contact_phone, conversation_id=body.conversation_id, stage="submitted",
        compensation_cap_fen=cap.amount_fen, cap_rule=cap.rule, needs_manual_review=needs_review, created_at=now,
    )
    session.add(claim)
    session.flush()
    session.add(ClaimStage(claim_id=claim.id, stage="submitted", at=now))
    session.flush()
    session.refresh(claim)
    return to_dict(session, claim)


def find(session: Session, number: str) -> Claim | None:
    return tickets.find(session, Claim, CLAIM, number)


def not_found() -> ApiError:
    return ApiError(404, "claim_not_found", "抱歉，没有找到这个理赔单号，请核对后再试（例如 CL731055281901）。")


def get(session: Session, number: str) -> Claim:
    return tickets.existing(find(session, number), not_found)


KIND = TicketKind(prefix=CLAIM, find=find, full=lambda session, row: to_dict(session, row), summary=summary,
                  not_found=not_found)


def count_by_phone(session: Session, phone: str) -> dict[str, int]:
    return tickets.count_by_phone(session, Claim, phone, OPEN_STAGES)


def list_by_phone(session: Session, phone: str, tracking_last4: str | None = None) -> list[dict[str, Any]]:
    return tickets.list_by_phone(session, Claim, phone, tracking_last4, lambda row: to_dict(session, row))


def _move(session: Session, claim: Claim, stage: str, note: str | None = None) -> None:
    claim.stage = stage
    session.add(ClaimStage(claim_id=claim.id, stage=stage, note=note, at=utcnow()))


def decide(session: Session, number: str, body: DecisionIn) -> dict[str, Any]:
    claim = get(session, number)
    if claim.stage not in {"submitted", "under_review"}:
        raise ApiError(409, "invalid_stage_transition", f"理赔单当前为“{STAGE_TEXT[claim.stage]}”，不能再次审核。")
    if claim.stage == "submitted":
        _move(session, claim, "under_review")
    if not body.approved:
        _move(session, claim, "rejected", body.note)
    else:
        default = min(claim.claimed_amount_fen, claim.compensation_cap_fen) if claim.claimed_amount_fen is not None \
            else claim.compensation_cap_fen
        amount = body.approved_amount_fen if body.approved_amount_fen is not None else default
        if amount > claim.compensation_cap_fen:
            raise ApiError(422, "amount_above_cap",
                           f"核准金额不能超过赔偿上限 {claim.compensation_cap_fen} 分。", field="approved_amount_fen")
        now = utcnow()
        claim.approved_amount_fen = amount
        claim.approved_at = now
        claim.payout_due_date = add_working_days(local_today(now), get_settings().claim_payout_working_days)
        _move(session, claim, "approved", body.note)
    session.flush()
    session.refresh(claim)
    return to_dict(session, claim)


def pay(session: Session, number: str) -> dict[str, Any]:
    claim = get(session, number)
    if claim.stage != "approved":
        raise ApiError(409, "invalid_stage_transition", f"理赔单当前为“{STAGE_TEXT[claim.stage]}”，不能付款。")
    claim.paid_at = utcnow()
    _move(session, claim, "paid")
    session.flush()
    session.refresh(claim)
    return to_dict(session, claim)
