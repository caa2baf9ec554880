"""How handoffs and their messages look to the console (phones masked, times local ISO)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from bot.backend.public import iso, utcnow
from bot.console.labels import intent_text
from bot.console.models import Agent, Handoff, HandoffMessage
from bot.console.routing import position
from bot.pii import mask_text
from bot.vocabulary.handoff_reasons import text_of
from bot.vocabulary.phones import mask_phone

STATUS_TEXT = {"waiting": "排队中", "active": "服务中", "ended": "已结束", "cancelled": "已取消"}
_PHONE_SLOTS = ("phone", "complaint_phone", "claim_phone", "sender_phone", "customer_checked_phone")


def masked_slots(handoff: Handoff) -> dict[str, Any]:
    slots = json.loads(handoff.slots_json or "{}")
    return {key: mask_phone(str(value)) if key in _PHONE_SLOTS else value for key, value in slots.items()}


def transcript(handoff: Handoff) -> list[dict[str, Any]]:
    return json.loads(handoff.transcript_json or "[]")


def summary(session: Session, handoff: Handoff, agent_names: dict[int, str] | None = None) -> dict[str, Any]:
    now = utcnow()
    item = {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "channel": handoff.channel,
        "reason": handoff.reason,
        "reason_text": text_of(handoff.reason),
        "team": handoff.team_code,
        "status": handoff.status,
        "status_text": STATUS_TEXT.get(handoff.status, handoff.status),
        "is_vip": handoff.is_vip,
        "account_manager": handoff.account_manager,
        "customer_phone": mask_phone(handoff.customer_phone),
        "intent": handoff.intent,
        "intent_text": intent_text(handoff.intent),
        "created_at": iso(handoff.created_at),
        "accepted_at": iso(handoff.accepted_at),
        "ended_at": iso(handoff.ended_at),
        "waiting_seconds": int(((handoff.accepted_at or now) - handoff.created_at).total_seconds()),
        "agent_id": handoff.agent_id,
        "agent_name": (agent_names or {}).get(handoff.agent_id or 0),
    }
    if handoff.status == "waiting":
        item["position"] = position(session, handoff)
    return item


def message_view(message: HandoffMessage, agent: Agent | None = None) -> dict[str, Any]:
    return {
        "id": message.id,
        "author": message.author,
        "agent_name": agent.display_name if agent else None,
        "text": message.text,
        "at": iso(message.created_at),
        "delivered": message.delivered,
        "delivery_ms": message.delivery_ms,
    }


def log_safe(text: str) -> str:
    """For log lines: phones masked and length bounded."""
    return mask_text(text[:200])
