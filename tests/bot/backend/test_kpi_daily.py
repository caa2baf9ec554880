"""The KPI window is whole local days, and the daily series adds up to the tiles: per day the conversations
with their containment and fallback rates, the handoffs, and the ratings with the share of satisfied ones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bot.backend.models import Base, ConversationEvent, Rating
from bot.backend.services.reports import SATISFACTION_TARGET, daily, kpi, window_start

# 12:00 in Shanghai (COURIER_TZ's default) on 7 December 2026.
NOW = datetime(2026, 12, 7, 4, 0)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time in December 2026, as the naive UTC the database stores."""
    return datetime(2026, 12, day, hour, minute) - timedelta(hours=8)


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        events = {
            "before-window": [("started", local(4, 20)), ("resolved", local(4, 20, 3))],
            "c1": [("started", local(5, 10)), ("resolved", local(5, 10, 3))],
            "c2": [("started", local(6, 9)), ("fallback", local(6, 9, 1)), ("handed_off", local(6, 9, 2))],
            "c3": [("started", local(7, 8)), ("fallback", local(7, 8, 1)), ("resolved", local(7, 8, 4))],
        }
        for conversation, kinds in events.items():
            for kind, at in kinds:
                session.add(ConversationEvent(conversation_id=conversation, type=kind, at=at,
                                              reason="not_understood_twice" if kind == "handed_off" else None))
        for score, at in ((1, local(4, 21)), (5, local(5, 11)), (3, local(5, 12)), (4, local(7, 9))):
            session.add(Rating(score=score, created_at=at))
        session.commit()
        yield session
    engine.dispose()


def test_the_window_starts_at_local_midnight() -> None:
    assert window_start(1, NOW) == local(7, 0)
    assert window_start(3, NOW) == local(5, 0)


def test_one_entry_per_chosen_day_with_its_rates(session: Session) -> None:
    series = daily(session, 3, NOW)
    assert [day["day"] for day in series] == ["2026-12-05", "2026-12-06", "2026-12-07"]
    first, second, third = series
    assert (first["conversations"], first["contained"], first["fallback"]) == (1, 1, 0)
    assert (first["containment_rate"], first["fallback_rate"]) == (1.0, 0.0)
    assert (first["ratings"], first["satisfied"], first["satisfaction_rate"], first["satisfaction_average"]) == (
        2, 1, 0.5, 4.0)
    assert (second["containment_rate"], second["fallback_rate"], second["handoffs"]) == (0.0, 1.0, 1)
    assert second["ratings"] == 0 and second["satisfaction_rate"] is None and second["satisfaction_average"] is None
    assert (third["containment_rate"], third["fallback_rate"], third["satisfaction_rate"]) == (1.0, 1.0, 1.0)
    assert len(daily(session, 30, NOW)) == 30 and len(daily(session, 90, NOW)) == 90


def test_the_days_add_up_to_the_tiles(session: Session) -> None:
    for days in (1, 3, 30):
        report, series = kpi(session, days, NOW), daily(session, days, NOW)
        counts = report["counts"]
        assert counts["conversations"] == sum(day["conversations"] for day in series), days
        assert counts["contained"] == sum(day["contained"] for day in series), days
        assert counts["fallback"] == sum(day["fallback"] for day in series), days
        assert counts["handed_off"] == sum(day["handoffs"] for day in series), days
        assert counts["ratings"] == sum(day["ratings"] for day in series), days
        assert counts["satisfied"] == sum(day["satisfied"] for day in series), days
    report = kpi(session, 3, NOW)
    # "before-window" and its rating of 1 (the evening before) are outside 3 days from local midnight.
    assert report["counts"]["conversations"] == 3 and report["counts"]["ratings"] == 3
    assert report["containment_rate"] == 0.6667 and report["fallback_rate"] == 0.6667
    assert report["satisfaction_rate"] == 0.6667 and report["satisfaction_target"] == SATISFACTION_TARGET == 0.9
    today = kpi(session, 1, NOW)
    assert today["counts"]["conversations"] == 1 and today["satisfaction_rate"] == 1.0
