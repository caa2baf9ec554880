"""The production profile: stores chosen by environment variables, exercised against the real services."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid

import pytest
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_endpoints import render_endpoints, resolved
from bot.settings import Settings
from tests.support import require_service

PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def _settings(**overrides: str) -> Settings:
    values = {"tracker_store_url": "", "redis_url": "", "rabbitmq_url": "", **overrides}
    return dataclasses.replace(Settings(), **values)


def test_embedded_profile_has_no_external_stores():
    endpoints = render_endpoints("http://127.0.0.1:5999/webhook", _settings())
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:5999/webhook"
    assert not {"lock_store", "event_broker"} & endpoints.keys()
    # Conversations in a SQLite file the Rasa process finds in its own var dir (no path written here).
    assert endpoints["tracker_store"] == {"type": "bot.tracker_store.AppendOnlySQLTrackerStore", "dialect": "sqlite"}


def test_embedded_tracker_store_keeps_conversations_across_a_restart(tmp_path, monkeypatch):
    from bot.settings import get_settings

    monkeypatch.setenv("COURIER_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        config = EndpointConfig.from_dict(render_endpoints(None, _settings())["tracker_store"])
        first = TrackerStore.create(config, Domain.empty())
        tracker = DialogueStateTracker.from_events("web:restart", [ActionExecuted("action_listen"), UserUttered("在吗")])
        asyncio.run(first.save(tracker))
        first.engine.dispose()  # Rasa stops
        again = TrackerStore.create(config, Domain.empty())  # and starts again
        kept = asyncio.run(again.retrieve("web:restart"))
        with again.engine.connect() as connection:
            journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    finally:
        get_settings.cache_clear()
    assert (tmp_path / "var" / "conversations.db").is_file()
    assert [e.text for e in kept.events if isinstance(e, UserUttered)] == ["在吗"]
    assert journal == "wal"


def test_production_profile_is_chosen_by_environment():
    endpoints = render_endpoints(None, _settings(
        tracker_store_url="postgresql://bot:s%40cret@db.internal:5433/rasa",
        redis_url="redis://:pw@cache:6380/2",
        rabbitmq_url="amqp://user:pass@mq:5673/",
    ))
    # The file names the variables; Rasa reads their values from its environment (tests/bot/test_store_urls.py).
    assert endpoints["tracker_store"] == {"type": "bot.tracker_store.AppendOnlySQLTrackerStore",
                                          "dialect": "postgresql", "url": "${TRACKER_STORE_URL}"}
    assert endpoints["lock_store"] == {"type": "bot.lock_store.CourierRedisLockStore", "url": "${REDIS_URL}",
                                       "key_prefix": "courier"}
    assert endpoints["event_broker"] == {"type": "bot.event_broker.UrlPikaEventBroker", "url": "${RABBITMQ_URL}",
                                         "queues": ["rasa_events"]}


@pytest.fixture()
def fresh_pg_database():
    require_service("PostgreSQL", "127.0.0.1", 5432)
    import psycopg2

    name = f"courier_tracker_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(PG)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_postgres_tracker_store_keeps_conversations(fresh_pg_database):
    config = render_endpoints(None, _settings(tracker_store_url=fresh_pg_database))["tracker_store"]
    config = resolved(config, {"TRACKER_STORE_URL": fresh_pg_database})
    store = TrackerStore.create(EndpointConfig.from_dict(config), Domain.empty())
    tracker = DialogueStateTracker.from_events("wx:o123", [ActionExecuted("action_listen"), UserUttered("查件")])

    async def roundtrip() -> DialogueStateTracker:
        await store.save(tracker)
        return await store.retrieve("wx:o123")

    again = asyncio.run(roundtrip())
    assert again is not None and again.latest_message.text == "查件"


def test_redis_lock_store_is_shared_between_rasa_instances():
    require_service("Redis", "127.0.0.1", 6379)
    url = "redis://127.0.0.1:6379/0"
    config = resolved(render_endpoints(None, _settings(redis_url=url))["lock_store"], {"REDIS_URL": url})
    first, second = (LockStore.create(EndpointConfig.from_dict(config)) for _ in range(2))
    conversation = f"lock-{uuid.uuid4().hex}"
    ticket_a = first.issue_ticket(conversation, lock_lifetime=10)
    ticket_b = second.issue_ticket(conversation, lock_lifetime=10)
    assert not second.get_lock(conversation).is_locked(ticket_a)
    assert second.get_lock(conversation).is_locked(ticket_b)
    first.cleanup(conversation, ticket_a)
    assert not first.get_lock(conversation).is_locked(ticket_b)
    second.cleanup(conversation, ticket_b)


def test_rabbitmq_event_broker_publishes_events():
    require_service("RabbitMQ", "127.0.0.1", 5672)
    import aio_pika
    from rasa.core.brokers.broker import EventBroker

    queue = f"courier_test_{uuid.uuid4().hex[:8]}"
    url = "amqp://guest:guest@127.0.0.1:5672/"
    config = resolved(render_endpoints(None, _settings(rabbitmq_url=url))["event_broker"], {"RABBITMQ_URL": url})
    config["queues"] = [queue]

    async def publish_and_read() -> bytes:
        broker = await EventBroker.create(EndpointConfig.from_dict(config))
        assert broker is not None and broker.is_ready()
        broker.publish({"event": "user", "text": "你好", "sender_id": "web:1"})
        await asyncio.sleep(1.0)
        await broker.close()
        connection = await aio_pika.connect(url)
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True)
        message = await declared.get(timeout=5, fail=False)
        await declared.delete(if_unused=False, if_empty=False)
        await connection.close()
        assert message is not None
        return message.body

    assert json.loads(asyncio.run(publish_and_read()))["text"] == "你好"
