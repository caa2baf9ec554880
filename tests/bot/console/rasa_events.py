"""Conversations written into a tracker store by Rasa's own SQLTrackerStore, for the analytics and review tests."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from tests.support import ROOT


def user(text: str, intent: str, confidence: float, at: float, message_id: str,
         entities: list[dict] | None = None) -> UserUttered:
    """A customer message as Rasa records it after NLU (what the channel sent, what the model read)."""
    parse = {"intent": {"name": intent, "confidence": confidence}, "entities": entities or [], "text": text}
    return UserUttered(text, intent=parse["intent"], entities=parse["entities"], parse_data=parse,
                       input_channel="socketio", message_id=message_id, timestamp=at)


def written_by_rasa(path: Path, sender: str, events: list[Event]) -> None:
    """Save the conversation as Rasa itself does (its SQLTrackerStore on a SQLite file)."""
    domain = Domain.load(str(ROOT / "domain.yml"))
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(path))
    tracker = DialogueStateTracker.from_events(sender, events, domain.slots)
    # In a thread of its own: a browser test's Playwright already runs an event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, store.save(tracker)).result()
    store.engine.dispose()
