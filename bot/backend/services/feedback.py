"""Satisfaction ratings and conversation events (started / resolved / handed_off) for the KPIs."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.backend.clock import iso, utcnow
from bot.backend.models import ConversationEvent, Rating
from bot.backend.schemas import ConversationEventIn, RatingIn


def add_rating(session: Session, body: RatingIn) -> dict[str, Any]:
    rating = Rating(score=body.score, comment=body.comment, conversation_id=body.conversation_id,
                    ticket_number=body.ticket_number, created_at=utcnow())
    session.add(rating)
    session.flush()
    return {"rating_id": rating.id, "score": rating.score, "created_at": iso(rating.created_at)}


def add_conversation_event(session: Session, conversation_id: str, body: ConversationEventIn) -> dict[str, Any]:
    event = ConversationEvent(conversation_id=conversation_id, type=body.type, channel=body.channel,
                              reason=body.reason, at=utcnow())
    session.add(event)
    session.flush()
    return {"event_id": event.id, "conversation_id": conversation_id, "type": event.type, "at": iso(event.at)}
