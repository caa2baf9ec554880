"""What one Rasa event says about a customer's message: a new message, or something about the latest one.

Rasa's events arrive as JSON, the same from the RabbitMQ broker and from the tracker store's `data` column
(docs/review-loop.md): a `user` event is a message (text, intent and confidence, entities, channel, message id);
the actions and slots that follow it in the conversation say whether the assistant fell back, whether the
conversation went to a person, and what the flow achieved (a ticket filed, a pickup booked). Plain functions on
dicts: no Rasa import, the console runs in the web process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from bot.pii import mask_message
from bot.vocabulary.ticket_numbers import CLAIM, COMPLAINT

FALLBACK_INTENT = "nlu_fallback"
# The assistant did not handle the message: Rasa's fallback, the second misunderstanding handing the chat to a
# person, or the "I can only help with parcels" answer. The model reads most gibberish and every unsupported topic
# as out_of_scope with high confidence, so without it the review page and the top unhandled topics miss them.
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "action_handoff_not_understood", "utter_out_of_scope"})
# actions/handoff.py: every way the conversation is handed to a person (or a callback offered out of hours).
HANDOFF_ACTIONS = frozenset({"action_request_human", "action_handoff_angry", "action_handoff_not_understood"})
# A flow's last action sets it to the number of what it filed (actions/tickets.py, actions/pickups.py).
OUTCOME_SLOT = "rating_ticket"
MAX_TEXT = 2000
MAX_ENTITIES = 20


@dataclass(frozen=True)
class Message:
    """A customer message as the assistant read it; the text and entity values are already masked."""

    key: str
    conversation_id: str
    channel: str | None
    at: datetime
    text: str
    intent: str | None
    confidence: float | None
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Mark:
    """Something that happened after a message: it belongs to the conversation's latest message up to `at`."""

    conversation_id: str
    at: datetime
    fell_back: bool = False
    handed_off: bool = False
    outcome: str | None = None


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), tz=timezone.utc).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def outcome_of(number: Any) -> str | None:
    """What a flow filed, from the number it left in the outcome slot."""
    if not number:
        return None
    text = str(number).upper()
    if text.startswith(COMPLAINT):
        return "complaint_filed"
    if text.startswith(CLAIM):
        return "claim_filed"
    return "pickup_booked"  # the only other flow that sets the slot (actions/pickups.py, the booking's id)


def _entities(parse: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for entity in (parse.get("entities") or [])[:MAX_ENTITIES]:
        if isinstance(entity, dict) and entity.get("entity"):
            found.append({"entity": str(entity["entity"])[:64],
                          "value": mask_message(str(entity.get("value", ""))[:200])})
    return found


def _message(conversation_id: str, event: dict[str, Any], at: datetime) -> Message | None:
    text = event.get("text")
    if not isinstance(text, str) or not text.strip() or text.startswith("/"):
        return None  # a button payload or a trigger (`/EXTERNAL_…`) is no customer wording to learn from
    parse = event.get("parse_data") if isinstance(event.get("parse_data"), dict) else {}
    intent = parse.get("intent") if isinstance(parse.get("intent"), dict) else {}
    confidence = intent.get("confidence")
    # Rasa's message id names the message in both sources; without one, its time does (to the microsecond).
    ident = event.get("message_id") or f"t{event.get('timestamp')}"
    return Message(key=f"{conversation_id}:{ident}"[:200], conversation_id=conversation_id,
                   channel=(event.get("input_channel") or None), at=at, text=mask_message(text[:MAX_TEXT]),
                   intent=(intent.get("name") or None), confidence=float(confidence) if confidence is not None else None,
                   entities=_entities(parse))


def read_event(conversation_id: str, event: dict[str, Any]) -> Message | Mark | None:
    """What an event says for the analytics, if anything."""
    at = _time(event.get("timestamp"))
    if at is None or not conversation_id:
        return None
    kind = event.get("event")
    if kind == "user":
        return _message(conversation_id, event, at)
    if kind == "action":
        name = event.get("name")
        if name in FALLBACK_ACTIONS or name in HANDOFF_ACTIONS:
            return Mark(conversation_id, at, fell_back=name in FALLBACK_ACTIONS, handed_off=name in HANDOFF_ACTIONS)
    if kind == "slot" and event.get("name") == OUTCOME_SLOT:
        outcome = outcome_of(event.get("value"))
        return Mark(conversation_id, at, outcome=outcome) if outcome else None
    return None


def read_json(conversation_id: str | None, body: str | bytes) -> Message | Mark | None:
    """An event as stored or published (JSON); the broker's carries its conversation as `sender_id`."""
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(event, dict):
        return None
    return read_event(str(conversation_id or event.get("sender_id") or "")[:128], event)
