"""The channels' gate against the real backend: silent only while an agent owns the conversation; a waiting
customer's question about the wait goes to the assistant as the handoff request, which answers with the queue."""

from __future__ import annotations

import asyncio
import socket
import uuid

from bot.channels.handoff_gate import QUEUE_WAIT_PAYLOAD, route
from tests.bot.console.conftest import API_KEY, login, open_handoff


def gate(backend, conversation: str, text: str, key: str = API_KEY) -> str | None:
    return asyncio.run(route(conversation, text, "socketio", {}, backend=(backend.base_url, key)))


def test_the_gate_lets_the_assistant_answer_until_an_agent_accepts(desk_backend) -> None:
    conversation = f"gate-{uuid.uuid4().hex[:8]}"
    assert gate(desk_backend, conversation, "你好") == "你好"  # no handoff at all
    assert gate(desk_backend, conversation, "还要等多久") == "还要等多久"  # no queue: a question for the assistant
    created = open_handoff(desk_backend, conversation)
    assert gate(desk_backend, conversation, "查件 ZT100000000001") == "查件 ZT100000000001"  # the assistant helps
    assert gate(desk_backend, conversation, "还要等多久") == QUEUE_WAIT_PAYLOAD  # about the queue
    agent = login(desk_backend, "li")
    agent.post(f"{desk_backend.base_url}/console/api/handoffs/{created['handoff_id']}/accept", timeout=15)
    assert gate(desk_backend, conversation, "你好，我的件丢了") is None
    assert gate(desk_backend, conversation, "   ") == "   "  # nothing to forward
    messages = agent.get(f"{desk_backend.base_url}/console/api/handoffs/{created['handoff_id']}/messages",
                         timeout=15).json()["messages"]
    assert [m["text"] for m in messages if m["author"] == "customer"] == [
        "查件 ZT100000000001", "还要等多久", "你好，我的件丢了"]
    agent.post(f"{desk_backend.base_url}/console/api/handoffs/{created['handoff_id']}/end", timeout=15)
    assert gate(desk_backend, conversation, "谢谢") == "谢谢"


def test_the_gate_fails_open(desk_backend) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = asyncio.run(route("gate-down-1", "在吗", "socketio", {}, backend=(f"http://127.0.0.1:{port}", API_KEY)))
    assert down == "在吗"
    assert gate(desk_backend, "gate-key-1", "在吗", key="wrong-key") == "在吗"
