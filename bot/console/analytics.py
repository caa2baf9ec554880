"""The analytics consumer: reads Rasa's events and keeps one row per customer message (docs/review-loop.md).

Two sources, chosen by ANALYTICS_SOURCE (default: the broker when RABBITMQ_URL is set, else the tracker store):

- `broker`: the RabbitMQ queue Rasa's event broker fills (RABBITMQ_QUEUE, bound to Rasa's fanout exchange the
  way Rasa binds it). A pass takes at most ANALYTICS_BATCH messages and acknowledges them only after their rows
  are committed: a crash in between redelivers them, and the unique key makes the second reading count nothing.
  Several web processes share the queue as competing consumers.
- `tracker_store`: Rasa's `events` table (TRACKER_STORE_URL, or the embedded SQLite `conversations.db`), read in
  id order after a cursor kept in the web database. Several processes may read the same events at once: the rows
  are idempotent and the cursor only moves forward.

One daemon thread per web process (`AnalyticsConsumer`, started with the console's other workers), so `make run`
and the cluster start it with the web process and its supervisor restarts it with that process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, inspect, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import Session

from bot.backend.public import new_session, utcnow
from bot.console.analytics_events import read_json
from bot.console.analytics_store import apply
from bot.console.models import AnalyticsCursor
from bot.database_setup import postgres_url
from bot.periodic import PeriodicThread
from bot.settings import Settings, get_settings

SOURCES = ("broker", "tracker_store", "off")
# Rasa's fanout exchange (rasa/core/brokers/pika.py RABBITMQ_EXCHANGE), declared here as Rasa declares it.
RASA_EXCHANGE = "rasa-exchange"
BROKER_TIMEOUT_S = 10
# PostgreSQL hands out ids when rows are inserted, not when they commit: a turn that commits late can land below
# the cursor. Each pass reads this many ids before the cursor again; re-reading changes nothing (idempotent rows).
LATE_COMMIT_OVERLAP = 200


def source_name(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    chosen = settings.analytics_source.strip().lower()
    if chosen:
        if chosen not in SOURCES:
            raise ValueError(f"ANALYTICS_SOURCE must be one of {', '.join(SOURCES)}, not {chosen!r}")
        return chosen
    return "broker" if settings.rabbitmq_url else "tracker_store"


class TrackerStoreSource:
    """Rasa's SQL tracker store, read after the cursor."""

    name = "tracker_store"

    def __init__(self, url: str | None = None) -> None:
        self.url = postgres_url(url or get_settings().conversation_store_url)
        self._engine: Engine | None = None

    def _ready(self) -> Engine | None:
        parsed = make_url(self.url)
        if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
            return None  # Rasa has not started on this var dir yet
        if self._engine is None:
            self._engine = create_engine(self.url, future=True, pool_pre_ping=True)
        return self._engine if inspect(self._engine).has_table("events") else None

    def consume(self, session: Session, limit: int) -> int:
        engine = self._ready()
        if engine is None:
            return 0
        cursor = session.get(AnalyticsCursor, self.name)
        after = cursor.position if cursor else 0
        overlap = LATE_COMMIT_OVERLAP if engine.dialect.name == "postgresql" else 0
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, sender_id, data FROM events WHERE id > :after ORDER BY id LIMIT :limit"),
                {"after": max(0, after - overlap), "limit": limit + overlap}).all()
        new = sum(1 for row in rows if row[0] > after)
        if not new:
            return 0
        apply(session, (read_json(sender_id, data or "") for _id, sender_id, data in rows))
        _advance(session, self.name, rows[-1][0])
        session.commit()
        return new

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def _advance(session: Session, source: str, position: int) -> None:
    """Move the cursor forward (never back: another process may already have read further)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(AnalyticsCursor).values(source=source, position=0, updated_at=utcnow())
                    .on_conflict_do_nothing(index_elements=["source"]))
    session.execute(update(AnalyticsCursor)
                    .where(AnalyticsCursor.source == source, AnalyticsCursor.position < position)
                    .values(position=position, updated_at=utcnow()).execution_options(synchronize_session=False))


class BrokerSource:
    """Rasa's RabbitMQ queue: a pass connects, takes up to `limit` messages, commits their rows, acknowledges."""

    name = "broker"

    def __init__(self, url: str | None = None, queue: str | None = None) -> None:
        settings = get_settings()
        self.url = url or settings.rabbitmq_url
        self.queue = queue or settings.rabbitmq_queue

    def consume(self, session: Session, limit: int) -> int:
        return asyncio.run(self._consume(session, limit))

    async def _consume(self, session: Session, limit: int) -> int:
        import aio_pika  # noqa: PLC0415 - only a process whose source is the broker loads it

        connection = await aio_pika.connect(self.url, timeout=BROKER_TIMEOUT_S)
        try:
            channel = await connection.channel()
            exchange = await channel.declare_exchange(RASA_EXCHANGE, type=aio_pika.ExchangeType.FANOUT)
            queue = await channel.declare_queue(self.queue, durable=True)
            await queue.bind(exchange, "")
            taken = []
            while len(taken) < limit:
                message = await queue.get(no_ack=False, fail=False, timeout=BROKER_TIMEOUT_S)
                if message is None:
                    break
                taken.append(message)
            if not taken:
                return 0
            apply(session, (read_json(None, message.body) for message in taken))
            session.commit()
            # Acknowledged once committed: one ack covers every message up to the last one.
            await taken[-1].ack(multiple=True)
            return len(taken)
        finally:
            await connection.close()

    def close(self) -> None:
        pass


Source = TrackerStoreSource | BrokerSource


def make_source(settings: Settings | None = None) -> Source | None:
    name = source_name(settings)
    if name == "off":
        return None
    return BrokerSource() if name == "broker" else TrackerStoreSource()


def run_once(source: Source, limit: int | None = None,
             sessions: Callable[[], Session] = new_session) -> int:
    """One bounded pass: how many events were read."""
    with sessions() as session:
        return source.consume(session, limit or get_settings().analytics_batch)


class AnalyticsConsumer(PeriodicThread):
    """The web process's thread: a pass every ANALYTICS_POLL_S, at once again while a pass finds a full batch."""

    name = "message-analytics"

    def __init__(self) -> None:
        super().__init__()
        self._source = make_source()

    @staticmethod
    def wanted() -> bool:
        return source_name() != "off"

    def start(self) -> None:
        if self._source is not None:
            super().start()

    def close(self) -> None:
        if self._source is not None:
            self._source.close()

    def interval_s(self) -> float:
        return get_settings().analytics_poll_s

    def run_pass(self) -> float | None:
        batch = get_settings().analytics_batch
        return 0.0 if run_once(self._source, batch) >= batch else None
