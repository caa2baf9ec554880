"""The assistant's side of a handoff: open one (or learn agents are off duty), forward customer messages
while it is open, and register a callback request outside the agents' hours."""

from __future__ import annotations

import json
import logging
import re
from datetime import timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.backend.public import ApiError, ConversationEvent, Customer, iso, mark_conversation_started, utcnow
from bot.console import hours
from bot.console.models import CallbackRequest, Handoff, HandoffMessage, Team
from bot.console.routing import eta_minutes, moved_team, position, team_for
from bot.console.schemas import CallbackIn, HandoffIn, InboundIn
from bot.console.views import log_safe
from bot.vocabulary.handoff_reasons import text_of
from bot.vocabulary.phones import mask_phone
from bot.vocabulary.question_kind import is_queue_wait_question

logger = logging.getLogger("bot.console")

OPEN_STATUSES = ("waiting", "active")
# While waiting (no agent yet) the customer can withdraw the request; plain "取消" belongs to the forms.
_CANCEL_RE = re.compile(r"^\s*(取消(转)?人工(客服)?|不(用|要|需要)(转)?人工了?|不转(人工)?了|不等了)\W*$")


def open_handoff(session: Session, conversation_id: str) -> Handoff | None:
    return session.execute(
        select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_STATUSES))
        .order_by(Handoff.id.desc()).limit(1)
    ).scalar_one_or_none()


def _customer(session: Session, phone: str | None) -> Customer | None:
    if not phone:
        return None
    return session.execute(select(Customer).where(Customer.phone == phone)).scalar_one_or_none()


def _team_name(session: Session, code: str) -> str:
    team = session.get(Team, code)
    return team.name if team else code


def _record_event(session: Session, body: HandoffIn) -> None:
    # The KPI report counts handoffs by reason from these events (containment, handoff rate).
    session.add(ConversationEvent(conversation_id=body.conversation_id, type="handed_off",
                                  channel=body.channel, reason=body.reason, at=utcnow()))


def _mark_started(session: Session, body: InboundIn) -> None:
    """Every customer message of every channel passes here, also in conversations that never reach the action
    server (FAQ answers, small talk): the one place that sees each conversation start. Only a statistic: a
    failure is logged and the message goes on to the assistant or the agent."""
    try:
        if mark_conversation_started(session, body.conversation_id, body.channel):
            session.commit()
    except SQLAlchemyError as error:
        session.rollback()
        logger.warning("conversation start not recorded for the KPIs (%s): %s", log_safe(body.conversation_id),
                       type(error).__name__)


def queue_answer(session: Session, handoff: Handoff, status: str | None = None) -> dict[str, Any]:
    place = position(session, handoff) if handoff.status == "waiting" else 0
    return {
        "handoff_id": handoff.id,
        "status": status or handoff.status,
        "team": handoff.team_code,
        "team_name": _team_name(session, handoff.team_code),
        "position": place,
        "eta_minutes": eta_minutes(place) if place else 0,
        "is_vip": handoff.is_vip,
        "account_manager": handoff.account_manager,
    }


def create(session: Session, body: HandoffIn) -> dict[str, Any]:
    existing = open_handoff(session, body.conversation_id)
    if existing is not None:
        team = moved_team(existing.team_code, body.reason, existing.is_vip) if existing.status == "waiting" else None
        if team is not None:
            return _move(session, existing, body.reason, team)
        return queue_answer(session, existing, "already_open")
    customer = _customer(session, body.customer_phone)
    is_vip = bool(customer.is_vip) if customer else body.is_vip
    manager = (customer.account_manager_name if customer and customer.is_vip else None) or body.account_manager
    team = team_for(body.reason, is_vip)
    _record_event(session, body)
    if not hours.on_duty():
        session.commit()
        opening = hours.next_opening()
        return {"handoff_id": None, "status": "out_of_hours", "team": team, "team_name": _team_name(session, team),
                "is_vip": is_vip, "account_manager": manager, "next_open": opening.isoformat(),
                "next_open_text": hours.describe_opening(opening)}
    handoff = Handoff(
        conversation_id=body.conversation_id, channel=body.channel, reason=body.reason, team_code=team,
        is_vip=is_vip, account_manager=manager, customer_phone=body.customer_phone, intent=body.intent,
        slots_json=json.dumps(body.slots, ensure_ascii=False, default=str),
        transcript_json=json.dumps([line.dict() for line in body.transcript], ensure_ascii=False),
        status="waiting", created_at=utcnow())
    session.add(handoff)
    session.commit()
    logger.info("handoff %s opened for %s: %s → %s%s (phone %s)", handoff.id, log_safe(body.conversation_id),
                body.reason, team, " VIP" if is_vip else "", mask_phone(body.customer_phone) or "-")
    return queue_answer(session, handoff)


def _move(session: Session, handoff: Handoff, reason: str, team: str) -> dict[str, Any]:
    """A waiting handoff goes to another team's queue with the new reason (status `moved`).

    Its creation time stays: the queue orders by it, so the customer keeps the time already waited. Conditional
    like accepting, so an agent who takes the conversation at this moment keeps it (then `already_open`).
    """
    old_team = handoff.team_code
    result = session.execute(
        update(Handoff).where(Handoff.id == handoff.id, Handoff.status == "waiting", Handoff.team_code == old_team)
        .values(team_code=team, reason=reason)
    )
    session.commit()
    session.refresh(handoff)
    if result.rowcount != 1:
        return queue_answer(session, handoff, "already_open")
    note = (f"{text_of(reason)}：从{_team_name(session, old_team)}转到{_team_name(session, team)}，"
            "排队时间照旧计算。")
    session.add(HandoffMessage(handoff_id=handoff.id, author="system", text=note, created_at=utcnow()))
    session.commit()
    logger.info("handoff %s moved for %s: %s → %s (%s)", handoff.id, log_safe(handoff.conversation_id),
                old_team, team, reason)
    return queue_answer(session, handoff, "moved")


def inbound(session: Session, body: InboundIn) -> dict[str, Any]:
    """A customer message while a handoff may be open.

    Waiting for an agent: the assistant keeps helping (so nobody sits in silence) and the message is copied
    for the agent; a question about the wait is flagged (`asks_wait`) for the assistant. Owned by an agent: only the agent gets it (`intercepted`), the assistant stays silent.
    The conversation's first message also marks it started for the containment KPI.
    """
    _mark_started(session, body)
    handoff = open_handoff(session, body.conversation_id)
    if handoff is None:
        return {"intercepted": False, "status": None}
    if handoff.status == "waiting" and _CANCEL_RE.match(body.text):
        handoff.status = "cancelled"
        handoff.ended_at = utcnow()
        session.add(HandoffMessage(handoff_id=handoff.id, author="system", text="顾客取消了转人工。",
                                   created_at=utcnow()))
        session.commit()
        return {"intercepted": False, "status": "cancelled"}
    session.add(HandoffMessage(handoff_id=handoff.id, author="customer", text=body.text, created_at=utcnow()))
    session.commit()
    # "还要等多久" while waiting is about this queue, not a parcel: the assistant answers with the place and wait.
    asks_wait = handoff.status == "waiting" and is_queue_wait_question(body.text)
    return {"intercepted": handoff.status == "active", "status": handoff.status, "handoff_id": handoff.id,
            "asks_wait": asks_wait}


def state(session: Session, conversation_id: str) -> dict[str, Any]:
    handoff = open_handoff(session, conversation_id)
    if handoff is None:
        return {"status": None}
    return queue_answer(session, handoff)


def create_callback(session: Session, body: CallbackIn) -> dict[str, Any]:
    if not body.consent:
        raise ApiError(422, "consent_required", "需要顾客同意后才能登记回电。")
    opening = hours.next_opening()
    customer = _customer(session, body.phone)
    is_vip = bool(customer.is_vip) if customer else body.is_vip
    callback = CallbackRequest(
        conversation_id=body.conversation_id, channel=body.channel, phone=body.phone, reason=body.reason,
        team_code=team_for(body.reason, is_vip), is_vip=is_vip,
        call_after=opening.astimezone(timezone.utc).replace(tzinfo=None),
        status="open", created_at=utcnow())
    session.add(callback)
    session.commit()
    logger.info("callback %s registered for %s", callback.id, mask_phone(body.phone))
    return {"callback_id": callback.id, "phone": mask_phone(body.phone), "call_after": iso(callback.call_after),
            "call_after_text": hours.describe_opening(opening), "team": callback.team_code}
