"""The handoff gate's inbound route, which every customer message of every channel passes, marks a conversation
`started` once (the containment KPI's denominator), and never lets that statistic cost the customer a message."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import bot.console.models  # noqa: F401 - the console's tables on the shared metadata
from bot.backend.public import Base, ConversationEvent
from bot.console import handoffs
from bot.console.schemas import InboundIn
from tests.bot.console.conftest import open_handoff


def _kpi(backend) -> dict:
    reply = backend.get("/reports/kpi", params={"days": 1})
    assert reply.status_code == 200, reply.text
    return reply.json()["counts"]


def _inbound(backend, conversation: str, text: str, channel: str = "socketio") -> dict:
    reply = backend.post("/handoffs/inbound", json={"conversation_id": conversation, "text": text, "channel": channel})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_each_conversation_is_counted_once_and_contained_until_handed_off(desk_backend) -> None:
    before = _kpi(desk_backend)
    answered, handed = f"faq-{uuid.uuid4().hex[:12]}", f"human-{uuid.uuid4().hex[:12]}"
    for text in ("在吗", "什么东西不能寄", "谢谢"):  # answered by Rasa alone: no action server call
        assert _inbound(desk_backend, answered, text)["intercepted"] is False
    _inbound(desk_backend, handed, "我要投诉", channel="wechat")
    after = _kpi(desk_backend)
    assert after["conversations"] == before["conversations"] + 2
    assert after["contained"] == before["contained"] + 2
    open_handoff(desk_backend, handed)
    _inbound(desk_backend, handed, "还在吗")
    handed_over = _kpi(desk_backend)
    assert handed_over["conversations"] == after["conversations"]
    assert handed_over["contained"] == after["contained"] - 1
    assert handed_over["handed_off"] == after["handed_off"] + 1


def test_a_start_that_cannot_be_recorded_costs_the_customer_nothing(monkeypatch, caplog) -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)

    def broken(*_args, **_kwargs) -> bool:
        raise OperationalError("INSERT INTO conversation_events", {}, Exception("database is locked"))

    monkeypatch.setattr(handoffs, "mark_conversation_started", broken)
    with Session(engine) as session, caplog.at_level(logging.WARNING, logger="bot.console"):
        answer = handoffs.inbound(session, InboundIn(conversation_id="web-locked", text="查件", channel="socketio"))
        assert answer == {"intercepted": False, "status": None}
        assert "conversation start not recorded" in caplog.text
        assert session.execute(select(func.count()).select_from(ConversationEvent)).scalar_one() == 0
    engine.dispose()
