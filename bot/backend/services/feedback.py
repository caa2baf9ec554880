"""Satisfaction ratings and conversation events (started / resolved / handed_off / fallback) for the KPIs.

Containment is the share of started conversations no person had to take. `started` is recorded once per
conversation, by the web process when the channels' handoff gate passes it the conversation's first message
(bot/console/handoffs.py inbound: every message of every channel goes through it, also the ones only Rasa
answers), and by `POST /conversations/{id}/events`; a unique index keeps one even when several web processes or
a retry record it at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
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


def _started(session: Session, conversation_id: str) -> ConversationEvent | None:
    return session.execute(
        select(ConversationEvent).where(ConversationEvent.conversation_id == conversation_id,
                                        ConversationEvent.type == "started")
    ).scalar_one_or_none()


def mark_started(session: Session, conversation_id: str, channel: str | None = None) -> bool:
    """Record that the conversation started, unless it already was; True when this call recorded it.

    Not committed: the caller commits. A second process inserting the same start at the same moment meets the
    unique index; only its savepoint is undone.
    """
    if _started(session, conversation_id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ConversationEvent(conversation_id=conversation_id, type="started", channel=channel,
                                          at=utcnow()))
    except IntegrityError:
        return False
    return True


def add_conversation_event(session: Session, conversation_id: str, body: ConversationEventIn) -> dict[str, Any]:
    if body.type == "started":
        # Once per conversation: a repeated start answers with the first one.
        mark_started(session, conversation_id, body.channel)
        event = _started(session, conversation_id)
    else:
        event = ConversationEvent(conversation_id=conversation_id, type=body.type, channel=body.channel,
                                  reason=body.reason, at=utcnow())
        session.add(event)
        session.flush()
    assert event is not None  # just recorded, or recorded before
    return {"event_id": event.id, "conversation_id": conversation_id, "type": event.type, "at": iso(event.at)}
