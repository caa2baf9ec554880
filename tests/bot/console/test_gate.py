"""The channels' gate against the real backend: silent only while an agent owns the conversation."""

from __future__ import annotations

import asyncio
import socket
import uuid

from bot.channels.handoff_gate import intercept
from tests.bot.console.conftest import API_KEY, login, open_handoff


def gate(backend, conversation: str, text: str, key: str = API_KEY) -> bool:
    return asyncio.run(intercept(conversation, text, "socketio", {}, backend=(backend.base_url, key)))


def test_the_gate_lets_the_assistant_answer_until_an_agent_accepts(desk_backend) -> None:
    conversation = f"gate-{uuid.uuid4().hex[:8]}"
    assert gate(desk_backend, conversation, "你好") is False  # no handoff at all
    created = open_handoff(desk_backend, conversation)
    assert gate(desk_backend, conversation, "还要等多久") is False  # waiting: the assistant keeps helping
    agent = login(desk_backend, "li")
    agent.post(f"{desk_backend.base_url}/console/api/handoffs/{created['handoff_id']}/accept", timeout=15)
    assert gate(desk_backend, conversation, "你好，我的件丢了") is True
    assert gate(desk_backend, conversation, "   ") is False  # nothing to forward
    messages = agent.get(f"{desk_backend.base_url}/console/api/handoffs/{created['handoff_id']}/messages",
                         timeout=15).json()["messages"]
    assert [m["text"] for m in messages if m["author"] == "customer"] == ["还要等多久", "你好，我的件丢了"]
    agent.post(f"{desk_backend.base_url}/console/api/handoffs/{created['handoff_id']}/end", timeout=15)
    assert gate(desk_backend, conversation, "谢谢") is False


def test_the_gate_fails_open(desk_backend) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = asyncio.run(intercept("gate-down-1", "在吗", "socketio", {}, backend=(f"http://127.0.0.1:{port}", API_KEY)))
    assert down is False
    assert gate(desk_backend, "gate-key-1", "在吗", key="wrong-key") is False
