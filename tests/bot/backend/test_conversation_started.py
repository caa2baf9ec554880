"""`started` is recorded once per conversation, so the containment KPI (conversations without a handoff /
conversations) is right for live traffic, which records `started`, `fallback` and `handed_off` but never
`resolved`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.backend.db import MIGRATIONS_DIR, run_migrations
from bot.backend.models import Base, ConversationEvent
from bot.backend.schemas import ConversationEventIn
from bot.backend.services import feedback
from bot.backend.services.reports import daily, kpi

NOW = datetime(2026, 12, 7, 4, 0)  # 12:00 in Shanghai


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as opened:
        yield opened
    engine.dispose()


def _starts(session: Session, conversation_id: str) -> int:
    return session.execute(select(func.count()).select_from(ConversationEvent).where(
        ConversationEvent.conversation_id == conversation_id, ConversationEvent.type == "started")).scalar_one()


def test_a_conversation_starts_once(session: Session) -> None:
    assert feedback.mark_started(session, "web-1", "socketio") is True
    session.commit()
    assert feedback.mark_started(session, "web-1", "socketio") is False
    assert feedback.mark_started(session, "web-2") is True
    session.commit()
    assert _starts(session, "web-1") == 1 and _starts(session, "web-2") == 1
    # The database itself refuses a second start, whoever writes it.
    session.add(ConversationEvent(conversation_id="web-1", type="started", at=NOW))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    # Other kinds of event repeat freely.
    for _ in range(2):
        session.add(ConversationEvent(conversation_id="web-1", type="fallback", at=NOW))
    session.commit()


def test_a_start_written_meanwhile_by_another_process_is_not_doubled(session: Session, monkeypatch) -> None:
    """Two web processes see the same first message: the one that loses meets the unique index and goes on."""
    feedback.mark_started(session, "web-race")
    session.commit()
    monkeypatch.setattr(feedback, "_started", lambda *_: None)  # as if the other's insert came after the look-up
    assert feedback.mark_started(session, "web-race") is False
    session.add(ConversationEvent(conversation_id="web-race", type="fallback", at=NOW))
    session.commit()  # the session is still usable: only the savepoint was undone
    assert _starts(session, "web-race") == 1


def test_containment_counts_live_conversations_without_a_handoff(session: Session) -> None:
    at = NOW - timedelta(hours=1)
    live = {"answered": ["started"], "misunderstood-once": ["started", "fallback"],
            "handed-off": ["started", "fallback", "fallback", "handed_off"], "asked-for-a-person": ["started", "handed_off"]}
    for conversation, kinds in live.items():
        for minute, kind in enumerate(kinds):
            session.add(ConversationEvent(conversation_id=conversation, type=kind, at=at + timedelta(minutes=minute)))
    session.commit()
    report = kpi(session, 1, NOW)
    assert report["counts"]["conversations"] == 4 and report["counts"]["contained"] == 2
    assert report["counts"]["handed_off"] == 2 and report["counts"]["fallback"] == 2
    assert report["containment_rate"] == 0.5 and report["handoff_rate"] == 0.5
    [today] = daily(session, 1, NOW)
    assert (today["conversations"], today["contained"], today["containment_rate"]) == (4, 2, 0.5)


def test_the_api_answers_a_repeated_start_with_the_first(session: Session) -> None:
    body = ConversationEventIn(type="started", channel="wechat")
    first = feedback.add_conversation_event(session, "wx-1", body)
    session.commit()
    again = feedback.add_conversation_event(session, "wx-1", body)
    assert again == first and _starts(session, "wx-1") == 1


def test_the_migration_keeps_the_earliest_of_duplicate_starts(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005_verification_attempts")
        for minute, kind in ((0, "started"), (1, "started"), (2, "handed_off"), (3, "started")):
            connection.execute(text("INSERT INTO conversation_events (conversation_id, type, at) VALUES "
                                    "('old-1', :kind, :at)"), {"kind": kind, "at": NOW + timedelta(minutes=minute)})
    run_migrations(engine)
    with Session(engine) as session:
        kinds = session.execute(select(ConversationEvent.type, ConversationEvent.at)
                                .order_by(ConversationEvent.id)).all()
        assert kinds == [("started", NOW), ("handed_off", NOW + timedelta(minutes=2))]
        assert feedback.mark_started(session, "old-1") is False
        assert feedback.mark_started(session, f"new-{uuid.uuid4().hex}") is True
    engine.dispose()
