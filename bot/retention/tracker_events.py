"""Rasa's conversations at rest: the SQL tracker store's `events` table (TRACKER_STORE_URL, or in the embedded
default the SQLite file `conversations.db` in the var dir: `Settings.conversation_store_url`).

A conversation is purged whole once its last event is older than the cutoff: deleting only its old events would
leave Rasa a tracker with slots and forms cut in half.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

BATCH = 200


@dataclass(frozen=True)
class TrackerStore:
    url: str

    def engine(self) -> Engine:
        url = self.url
        if url.startswith("postgres://"):
            url = "postgresql://" + url.removeprefix("postgres://")
        return create_engine(url, future=True)

    def purge_before(self, cutoff_timestamp: float, dry_run: bool) -> int:
        """Delete every conversation whose last event is older than the cutoff (a Unix time); how many."""
        engine = self.engine()
        try:
            if not _has_events(engine):
                return 0
            stale = ("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff")
            if dry_run:
                with engine.connect() as connection:
                    return connection.execute(text(f"SELECT COUNT(*) FROM ({stale}) AS stale"),
                                              {"cutoff": cutoff_timestamp}).scalar_one()
            purged = 0
            while True:
                with engine.begin() as connection:
                    senders = connection.execute(text(f"{stale} LIMIT {BATCH}"), {"cutoff": cutoff_timestamp}
                                                 ).scalars().all()
                    if not senders:
                        return purged
                    _delete_senders(connection, senders)
                    purged += len(senders)
        finally:
            engine.dispose()

    def erase(self, sender_ids: Collection[str], dry_run: bool) -> int:
        """Delete the conversations of these sender ids; how many events went."""
        if not sender_ids:
            return 0
        engine = self.engine()
        try:
            if not _has_events(engine):
                return 0
            senders = sorted(sender_ids)
            with engine.begin() as connection:
                if dry_run:
                    return sum(connection.execute(text("SELECT COUNT(*) FROM events WHERE sender_id = :s"),
                                                  {"s": sender}).scalar_one() for sender in senders)
                return _delete_senders(connection, senders)
        finally:
            engine.dispose()


def _has_events(engine: Engine) -> bool:
    return inspect(engine).has_table("events")


def _delete_senders(connection, senders: list[str]) -> int:  # type: ignore[no-untyped-def]
    deleted = 0
    for start in range(0, len(senders), BATCH):
        chunk = senders[start:start + BATCH]
        params = {f"s{index}": sender for index, sender in enumerate(chunk)}
        placeholders = ", ".join(f":{name}" for name in params)
        deleted += connection.execute(text(f"DELETE FROM events WHERE sender_id IN ({placeholders})"),
                                      params).rowcount
    return deleted
