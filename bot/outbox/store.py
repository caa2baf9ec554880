"""The outbox table: enqueue an item, claim due items for delivery under a lease, finish or reschedule them.

Several action servers may share one outbox. A claim marks rows `delivering` with a random lease token and a
lease deadline in one statement that only matches rows still due, so two workers never hold one row at once:
PostgreSQL picks the rows with `SELECT … FOR UPDATE SKIP LOCKED` (a competing worker takes other rows instead of
waiting), SQLite runs the conditional `UPDATE` under its single write lock. A worker that dies mid-delivery
leaves a lease that expires; the row is then due again and redelivered with the same idempotency key.
Finishing or rescheduling needs the lease token, so a worker whose lease ran out cannot undo another's work.
Rows leave the table once delivered: nothing personal stays here longer than the backend is away.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.pool import QueuePool

logger = logging.getLogger(__name__)

PENDING = "pending"
DELIVERING = "delivering"

metadata = MetaData()
outbox_table = Table(
    "courier_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(128), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("conversation_id", String(255), nullable=False),
    Column("payload", Text, nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False, index=True),
    Column("lease_token", String(32)),
    Column("lease_until", Float),
    Column("last_error", String(200)),
    Column("created_at", Float, nullable=False),
)


class OutboxRefused(Exception):
    """The item was not kept: the caller must not promise that it will be delivered."""


class OutboxFull(OutboxRefused):
    pass


class PayloadTooLarge(OutboxRefused):
    pass


@dataclass(frozen=True)
class Item:
    id: int
    key: str
    kind: str
    conversation_id: str
    payload: dict[str, Any]
    attempts: int
    lease_token: str


def sqlalchemy_url(url: str) -> str:
    """`postgres://` (Heroku style, also accepted by Rasa) is `postgresql://` to SQLAlchemy."""
    return "postgresql://" + url.removeprefix("postgres://") if url.startswith("postgres://") else url


def _engine(url: str) -> Engine:
    url = sqlalchemy_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, future=True, pool_pre_ping=True)
    # Pooled: SQLAlchemy 1.4 would open a new connection (and run the pragmas) for every statement.
    engine = create_engine(url, future=True, poolclass=QueuePool,
                           connect_args={"timeout": 15, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        # WAL: the worker and the actions write while others read; busy waits instead of "database is locked".
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    return engine


class Outbox:
    def __init__(self, url: str, *, max_items: int = 10_000, max_payload_bytes: int = 65_536,
                 lease_s: float = 60.0, retry_base_s: float = 2.0, retry_max_s: float = 60.0) -> None:
        self.engine = _engine(url)
        self.max_items = max_items
        self.max_payload_bytes = max_payload_bytes
        self.lease_s = lease_s
        self.retry_base_s = retry_base_s
        self.retry_max_s = retry_max_s
        self._create_table()

    def _create_table(self) -> None:
        try:
            metadata.create_all(self.engine)
        except SQLAlchemyError:
            # Two action servers starting together: the other one created it first.
            logger.info("outbox table created concurrently; using it")
            metadata.create_all(self.engine)

    # ---- the actions' side ----------------------------------------------------------------------------
    def enqueue(self, kind: str, key: str, conversation_id: str, payload: dict[str, Any]) -> None:
        """Keep the item for delivery; the same key again is the same item (kept once)."""
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        if len(body.encode()) > self.max_payload_bytes:
            raise PayloadTooLarge(f"{kind} payload of {len(body.encode())} bytes")
        now = time.time()
        with self.engine.begin() as connection:
            if connection.execute(select(outbox_table.c.id).where(outbox_table.c.key == key)).first():
                return
            if connection.execute(select(func.count()).select_from(outbox_table)).scalar_one() >= self.max_items:
                raise OutboxFull(f"{self.max_items} items waiting")
            try:
                connection.execute(outbox_table.insert().values(
                    key=key, kind=kind, conversation_id=conversation_id[:255], payload=body, state=PENDING,
                    attempts=0, next_attempt_at=now, created_at=now))
            except IntegrityError:
                return  # the same confirmation, kept by a concurrent turn a moment ago

    def forget(self, key: str) -> None:
        """The item was delivered some other way (the customer's next turn): nothing left to do."""
        with self.engine.begin() as connection:
            connection.execute(delete(outbox_table).where(outbox_table.c.key == key))

    def waiting(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(outbox_table)).scalar_one()

    # ---- the worker's side ----------------------------------------------------------------------------
    def claim(self, limit: int = 10, now: float | None = None) -> list[Item]:
        """Due items, leased to the caller until `now + lease_s`; no other worker gets them meanwhile."""
        now = time.time() if now is None else now
        token = secrets.token_hex(16)
        table = outbox_table
        due = or_(and_(table.c.state == PENDING, table.c.next_attempt_at <= now),
                  and_(table.c.state == DELIVERING, table.c.lease_until < now))
        lease = {"state": DELIVERING, "lease_token": token, "lease_until": now + self.lease_s,
                 "attempts": table.c.attempts + 1}
        with self.engine.begin() as connection:
            candidates = select(table.c.id).where(due).order_by(table.c.next_attempt_at).limit(limit)
            if self.engine.dialect.name == "postgresql":
                ids = connection.execute(candidates.with_for_update(skip_locked=True)).scalars().all()
                if not ids:
                    return []
                connection.execute(update(table).where(table.c.id.in_(ids)).values(**lease))
            else:
                # One statement under SQLite's write lock; `due` again so a row taken meanwhile is skipped.
                connection.execute(update(table).where(and_(table.c.id.in_(candidates.scalar_subquery()), due))
                                   .values(**lease))
            rows = connection.execute(select(table).where(table.c.lease_token == token)).mappings().all()
        return [Item(id=row["id"], key=row["key"], kind=row["kind"], conversation_id=row["conversation_id"],
                     payload=json.loads(row["payload"]), attempts=row["attempts"], lease_token=token)
                for row in rows]

    def done(self, item: Item) -> None:
        """Delivered (or refused for good): the row goes."""
        with self.engine.begin() as connection:
            connection.execute(delete(outbox_table).where(
                outbox_table.c.id == item.id, outbox_table.c.lease_token == item.lease_token))

    def retry_later(self, item: Item, error: str, now: float | None = None) -> float:
        """Back to pending after an exponential backoff (capped); returns the delay chosen."""
        now = time.time() if now is None else now
        delay = self.backoff(item.attempts)
        with self.engine.begin() as connection:
            connection.execute(update(outbox_table).where(
                outbox_table.c.id == item.id, outbox_table.c.lease_token == item.lease_token).values(
                state=PENDING, lease_token=None, lease_until=None, next_attempt_at=now + delay,
                last_error=error[:200]))
        return delay

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after `attempts` failed ones, with jitter so workers spread out."""
        base = min(self.retry_max_s, self.retry_base_s * 2 ** max(0, attempts - 1))
        return base * (0.8 + 0.4 * secrets.randbelow(1000) / 1000)

    def dispose(self) -> None:
        self.engine.dispose()
