"""Writes what the events said into `message_analytics`, so that reading an event twice changes nothing.

A message is inserted with its unique key and "on conflict do nothing" (SQLite and PostgreSQL alike): two web
processes reading the same events, or a broker message delivered again, add no second row. A mark (fell back,
handed off, a ticket filed) sets flags on the conversation's latest message up to the mark's time: setting a flag
twice is the same as once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.console.analytics_events import FALLBACK_INTENT, Mark, Message
from bot.console.models import MessageRecord


def _insert(session: Session, message: Message) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(MessageRecord).values(
        event_key=message.key, conversation_id=message.conversation_id, channel=message.channel, at=message.at,
        text=message.text, intent=message.intent, confidence=message.confidence,
        entities_json=json.dumps(message.entities, ensure_ascii=False),
        fell_back=message.intent == FALLBACK_INTENT, handed_off=False,
    ).on_conflict_do_nothing(index_elements=["event_key"])
    session.execute(statement)


def _mark(session: Session, mark: Mark) -> None:
    latest = session.execute(
        select(MessageRecord.id).where(MessageRecord.conversation_id == mark.conversation_id,
                                       MessageRecord.at <= mark.at)
        .order_by(MessageRecord.at.desc(), MessageRecord.id.desc()).limit(1)
    ).scalar_one_or_none()
    if latest is None:
        return  # the message itself was never read (before the consumer started, or a trigger): nothing to mark
    values: dict[str, object] = {}
    if mark.fell_back:
        values["fell_back"] = True
    if mark.handed_off:
        values["handed_off"] = True
    if mark.outcome:
        values["outcome"] = mark.outcome
    if values:
        session.execute(update(MessageRecord).where(MessageRecord.id == latest).values(**values)
                        .execution_options(synchronize_session=False))


def apply(session: Session, items: Iterable[Message | Mark | None]) -> int:
    """Write the items in their order (a mark after its message); the caller commits. How many were written."""
    written = 0
    for item in items:
        if isinstance(item, Message):
            _insert(session, item)
        elif isinstance(item, Mark):
            _mark(session, item)
        else:
            continue
        written += 1
    return written
