"""A SQL tracker store whose save appends the turn's own new events and never takes another's for its own.

Rasa 3.6's `SQLTrackerStore.save` appends "the tracker's events beyond the number of events already stored".
If another turn of the same conversation saved in between (two Rasa instances, a lock that failed or expired),
that number already counts the other turn's events, so this turn's first events — its customer message among
them — are taken for stored and silently dropped (issue 14). Here a tracker remembers how many of its events
came from (or went to) the database, and a save appends exactly the events added since. Concurrent turns then
both keep their events; the conversation lock (bot/lock_store.py) is what keeps them one after the other.

The embedded default uses the same store on a SQLite file (`conversations.db` in the var dir of the Rasa process,
COURIER_VAR_DIR), so a restarted Rasa keeps its conversations: the endpoints file names no path, each process
finds its own (two test stacks never share one). WAL with synchronous=NORMAL: a crashed process loses nothing
committed; only a power cut may lose the last turns.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.database_setup import ensure_database, postgres_url
from bot.settings import get_settings

# The number of a tracker's events known to be in the database (set on the tracker object itself).
_STORED = "_courier_stored_events"


class AppendOnlySQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore (same table, same configuration) whose saves only append what the turn added."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        host = kwargs.get("host")
        if isinstance(host, str) and "://" in host:  # a whole TRACKER_STORE_URL, options and all (Rasa keeps it)
            kwargs["host"] = postgres_url(host)
            # Rasa would go on without its tables and fail every turn: create the database or say how to.
            ensure_database(kwargs["host"], "TRACKER_STORE_URL")
        sqlite = kwargs.get("dialect", "sqlite") == "sqlite"
        if sqlite and not kwargs.get("db"):
            kwargs["db"] = str(_embedded_database())
        super().__init__(*args, **kwargs)
        if sqlite:
            # Rasa's engine opens a new SQLite connection per session (SQLAlchemy 1.4's default for files): ~17 ms
            # of every save. A pooled engine on the same file keeps its connections (and their pragmas).
            url = self.engine.url
            self.engine.dispose()
            self.engine = create_engine(url, poolclass=QueuePool, connect_args={"check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            setattr(tracker, _STORED, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        setattr(tracker, _STORED, len(tracker.events))

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, _STORED, None)
        if stored is None:  # a tracker this store never loaded nor saved (a new conversation): Rasa's rule
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))


def _embedded_database() -> Path:
    path = get_settings().var_dir / "conversations.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()
