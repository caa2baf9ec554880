"""The append-only SQL tracker store (bot/tracker_store.py) on the real PostgreSQL at 127.0.0.1:5432."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_endpoints import resolved, tracker_store_config
from bot.tracker_store import AppendOnlySQLTrackerStore
from tests.support import require_service

pytestmark = pytest.mark.postgres

PG = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture()
def database_url():
    require_service("PostgreSQL", "127.0.0.1", 5432)
    import psycopg2

    name = f"courier_tracker_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(PG)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _store(url: str) -> TrackerStore:
    return TrackerStore.create(EndpointConfig.from_dict(resolved(tracker_store_config(url), {"TRACKER_STORE_URL": url})), Domain.empty())


def _two_overlapping_turns(store: TrackerStore) -> list[str]:
    """Two instances load the same conversation, each adds its turn, both save: the user texts stored."""

    async def run() -> list[str]:
        await store.save(DialogueStateTracker.from_events("web:1", [ActionExecuted("action_listen")]))
        first, second = await store.retrieve("web:1"), await store.retrieve("web:1")
        for tracker, text in ((first, "在吗"), (second, "查件 ZT100000000001")):
            tracker.update(UserUttered(text))
            tracker.update(BotUttered("您好"))
            tracker.update(ActionExecuted("action_listen"))
        await store.save(first)
        await store.save(second)
        again = await store.retrieve("web:1")
        return [event.text for event in again.events if isinstance(event, UserUttered)]

    return asyncio.run(run())


def test_rasa_sql_tracker_store_drops_the_second_turns_message(database_url):
    """Root cause, second half: Rasa's save skips as many events as the database holds."""
    config = resolved(tracker_store_config(database_url), {"TRACKER_STORE_URL": database_url}) | {"type": "SQL"}
    store = TrackerStore.create(EndpointConfig.from_dict(config), Domain.empty())
    assert type(store) is SQLTrackerStore
    assert _two_overlapping_turns(store) == ["在吗"]


def test_append_only_store_keeps_both_turns(database_url):
    store = _store(database_url)
    assert isinstance(store, AppendOnlySQLTrackerStore)
    assert _two_overlapping_turns(store) == ["在吗", "查件 ZT100000000001"]


def test_saving_twice_stores_each_event_once(database_url):
    store = _store(database_url)

    async def run() -> int:
        tracker = DialogueStateTracker.from_events("web:2", [ActionExecuted("action_listen"), UserUttered("在吗")])
        await store.save(tracker)  # a new conversation: nothing known yet, Rasa's rule
        tracker.update(BotUttered("您好"))
        await store.save(tracker)
        await store.save(tracker)
        return len((await store.retrieve("web:2")).events)

    assert asyncio.run(run()) == 3
