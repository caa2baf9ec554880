"""The analytics consumer reads Rasa's events into one row per customer message: from a tracker store written by
Rasa's own SQLTrackerStore, and from RabbitMQ; bounded passes, idempotent (an event read twice counts once),
texts masked, fallbacks, handoffs and filed tickets marked on the message they followed."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.shared.core.events import ActionExecuted, SlotSet
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot.backend.public import Base
from bot.console.analytics import BrokerSource, TrackerStoreSource, run_once, source_name
from bot.console.analytics_events import read_event
from bot.console.models import AnalyticsCursor, MessageRecord
from bot.settings import Settings
from tests.bot.console.rasa_events import user, written_by_rasa
from tests.support import require_service

CONVERSATION = "analytics-chat-1"


def conversation_events(start: float) -> list:
    return [
        user("我的电话13812345678，地址是上海市浦东新区张江路123号，你们能不能快点", "nlu_fallback", 0.21, start, "m1"),
        ActionExecuted("action_default_fallback", timestamp=start + 1),
        user("查一下ZT100000000001", "track_parcel", 0.97, start + 10, "m2",
             [{"entity": "tracking_number", "value": "ZT100000000001", "start": 3, "end": 17}]),
        ActionExecuted("action_track_parcel", timestamp=start + 11),
        user("东西坏了我要投诉", "file_complaint", 0.55, start + 20, "m3"),
        SlotSet("rating_ticket", "CP583920174465", timestamp=start + 21),
        user("转人工", "request_human", 0.93, start + 30, "m4"),
        ActionExecuted("action_request_human", timestamp=start + 31),
    ]


@pytest.fixture()
def web_db(tmp_path: Path) -> Iterator:
    engine = create_engine(f"sqlite:///{tmp_path / 'courier.db'}", future=True)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def sessions(engine):
    return lambda: Session(engine)


def rows(engine) -> dict[str, MessageRecord]:
    with Session(engine) as session:
        found = session.execute(select(MessageRecord).order_by(MessageRecord.at)).scalars().all()
        session.expunge_all()
    return {row.event_key.rsplit(":", 1)[1]: row for row in found}


def check_conversation(found: dict[str, MessageRecord]) -> None:
    assert set(found) == {"m1", "m2", "m3", "m4"}
    first = found["m1"]
    assert "13812345678" not in first.text and "138****5678" in first.text
    assert "张江路123号" not in first.text and "上海市浦东新区***" in first.text
    assert first.fell_back and not first.handed_off and first.intent == "nlu_fallback" and first.confidence == 0.21
    assert first.channel == "socketio" and first.conversation_id.startswith("analytics-")
    assert not found["m2"].fell_back and json.loads(found["m2"].entities_json) == [
        {"entity": "tracking_number", "value": "ZT100000000001"}]
    assert found["m3"].outcome == "complaint_filed" and not found["m3"].handed_off
    assert found["m4"].handed_off and not found["m4"].fell_back and found["m4"].outcome is None


def test_the_tracker_store_is_read_in_bounded_idempotent_passes(tmp_path: Path, web_db) -> None:
    tracker_db = tmp_path / "conversations.db"
    written_by_rasa(tracker_db, CONVERSATION, conversation_events(time.time() - 60))
    source = TrackerStoreSource(f"sqlite:///{tracker_db}")
    passes = []
    while (read := run_once(source, 3, sessions(web_db))) and len(passes) < 10:
        passes.append(read)
    # Rasa adds its own session events (action_session_start, session_started…): every event is read once.
    assert passes[:-1] == [3] * (len(passes) - 1) and 1 <= passes[-1] <= 3
    check_conversation(rows(web_db))
    # Read again from the start (another web process, a lost cursor): nothing is counted twice.
    with Session(web_db) as session:
        session.get(AnalyticsCursor, "tracker_store").position = 0
        session.commit()
    while run_once(source, 3, sessions(web_db)):
        pass
    check_conversation(rows(web_db))
    source.close()


def test_a_tracker_store_rasa_has_not_created_yet_is_no_error(tmp_path: Path, web_db) -> None:
    assert run_once(TrackerStoreSource(f"sqlite:///{tmp_path / 'none.db'}"), 10, sessions(web_db)) == 0


def test_the_source_follows_the_settings() -> None:
    assert source_name(Settings(rabbitmq_url="", analytics_source="")) == "tracker_store"
    assert source_name(Settings(rabbitmq_url="amqp://guest:guest@127.0.0.1:5672/", analytics_source="")) == "broker"
    assert source_name(Settings(rabbitmq_url="amqp://x@h/", analytics_source="off")) == "off"
    with pytest.raises(ValueError, match="ANALYTICS_SOURCE"):
        source_name(Settings(analytics_source="kafka"))


def test_button_payloads_and_unknown_events_are_not_messages() -> None:
    assert read_event("c", {"event": "user", "text": "/affirm", "timestamp": 1.0}) is None
    assert read_event("c", {"event": "bot", "text": "您好", "timestamp": 1.0}) is None
    assert read_event("c", {"event": "user", "text": "你好", "timestamp": "soon"}) is None
    assert read_event("c", {"event": "slot", "name": "rating_ticket", "value": None, "timestamp": 1.0}) is None


async def _publish(url: str, queue: str, bodies: list[dict]) -> None:
    import aio_pika

    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        await channel.declare_queue(queue, durable=True)
        for body in bodies:
            # Straight to this test's queue (Rasa publishes to its fanout exchange, which other stacks' queues
            # running on this machine are bound to: they must not see these events).
            await channel.default_exchange.publish(aio_pika.Message(json.dumps(body).encode()), routing_key=queue)
    finally:
        await connection.close()


async def _delete(url: str, queue: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        await channel.queue_delete(queue)
    finally:
        await connection.close()


def test_rabbitmq_events_are_read_acknowledged_and_counted_once(web_db) -> None:
    require_service("RabbitMQ", "127.0.0.1", 5672)
    url = "amqp://guest:guest@127.0.0.1:5672/"
    queue = f"analytics-test-{uuid.uuid4().hex[:8]}"
    sender = f"analytics-{uuid.uuid4().hex[:6]}"
    # As Rasa's broker publishes them: the event's dict with the conversation as `sender_id`.
    bodies = [{**event.as_dict(), "sender_id": sender} for event in conversation_events(time.time() - 60)]
    source = BrokerSource(url, queue)
    try:
        assert run_once(source, 5, sessions(web_db)) == 0  # declares and binds the queue; nothing yet
        asyncio.run(_publish(url, queue, bodies))
        assert run_once(source, 5, sessions(web_db)) == 5
        assert run_once(source, 5, sessions(web_db)) == 3
        assert run_once(source, 5, sessions(web_db)) == 0  # acknowledged: not delivered again
        check_conversation(rows(web_db))
        asyncio.run(_publish(url, queue, bodies[:3]))  # delivered again (a publisher's retry)
        assert run_once(source, 5, sessions(web_db)) == 3
        check_conversation(rows(web_db))
    finally:
        asyncio.run(_delete(url, queue))


def test_rabbitmq_messages_whose_rows_were_not_committed_come_again(web_db) -> None:
    require_service("RabbitMQ", "127.0.0.1", 5672)
    url = "amqp://guest:guest@127.0.0.1:5672/"
    queue = f"analytics-test-{uuid.uuid4().hex[:8]}"
    bodies = [{**event.as_dict(), "sender_id": "analytics-redelivered"} for event in conversation_events(time.time())]
    source = BrokerSource(url, queue)

    class Failing(Session):
        def commit(self) -> None:
            raise RuntimeError("the database went away")

    try:
        asyncio.run(_publish(url, queue, bodies))
        with pytest.raises(RuntimeError):
            run_once(source, 100, lambda: Failing(web_db))
        assert rows(web_db) == {}
        assert run_once(source, 100, sessions(web_db)) == len(bodies)
        check_conversation(rows(web_db))
    finally:
        asyncio.run(_delete(url, queue))
