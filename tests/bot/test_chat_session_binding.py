"""A web chat session is resumed only by the browser it was given to (its token), never by its id alone: a
stranger who knows or guesses a customer's session id gets a session of their own, not the customer's replies."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage

from bot.channels import handoff_gate
from bot.channels.socketio import TOKEN_EVENT, SocketIOInput, resumable_session
from bot.chat_session_token import session_token, token_matches
from bot.production_check import DemoSecretsRefused, refuse_demo_secrets
from bot.settings import get_settings


class Sockets:
    """python-socketio's server as the channel uses it: sessions, rooms, and emits delivered to each room's
    sockets (what every browser would receive)."""

    def __init__(self) -> None:
        self.sessions: dict[str, dict] = {}
        self.members: dict[str, set[str]] = defaultdict(set)
        self.received: dict[str, list[tuple[str, Any]]] = defaultdict(list)

    async def save_session(self, sid: str, session: dict, namespace: str | None = None) -> None:
        self.sessions[sid] = dict(session)

    async def get_session(self, sid: str, namespace: str | None = None) -> dict:
        return self.sessions.setdefault(sid, {})

    def enter_room(self, sid: str, room: str, namespace: str | None = None) -> None:
        self.members[room].add(sid)

    def rooms(self, sid: str, namespace: str | None = None) -> list[str]:
        return [sid, *(room for room, sids in self.members.items() if sid in sids)]

    async def emit(self, event: str, data: Any, room: str | None = None, namespace: str | None = None) -> None:
        for sid in self.members.get(room, set()) | ({room} if room in self.sessions else set()):
            self.received[sid].append((event, data))

    def texts(self, sid: str) -> list[str]:
        return [data["text"] for event, data in self.received[sid] if event == "bot_uttered"]


class Assistant:
    async def __call__(self, message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "您的快递 ZT100000000001 正在派送中")


@pytest.fixture(autouse=True)
def own_secret(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[None]:
    monkeypatch.setenv("COURIER_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("CHAT_SESSION_SECRET", raising=False)

    async def never(*args: Any, **kwargs: Any) -> str:
        return args[1]

    monkeypatch.setattr(handoff_gate, "route", never)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def channel() -> tuple[SocketIOInput, Sockets]:
    sockets = Sockets()
    web_chat = SocketIOInput(session_persistence=True)
    web_chat.sio = sockets  # type: ignore[assignment]
    return web_chat, sockets


def confirmed(sockets: Sockets, sid: str) -> dict:
    """The last session the socket was given: `session_token` then `session_confirm` (the bare id)."""
    events = sockets.received[sid]
    at = max(index for index, (event, _) in enumerate(events) if event == "session_confirm")
    assert events[at - 1][0] == TOKEN_EVENT and events[at - 1][1]["session_id"] == events[at][1]
    return events[at - 1][1]


def test_a_stranger_with_the_id_alone_gets_a_session_of_their_own_and_none_of_the_customers_replies() -> None:
    async def scenario() -> None:
        web_chat, sockets = channel()
        await web_chat.start_session("customer", {"session_id": None})
        customer = confirmed(sockets, "customer")
        assert token_matches(customer["session_id"], customer["session_token"])

        for proof in ({}, {"session_token": ""}, {"session_token": "A" * 43},
                      {"session_token": session_token("another-session-0001")}):
            await web_chat.start_session("stranger", {"session_id": customer["session_id"], **proof})
            assert confirmed(sockets, "stranger")["session_id"] != customer["session_id"]
        # Naming the session in a message does not join it either.
        await web_chat.receive("stranger", {"message": "在吗", "session_id": customer["session_id"]}, Assistant())

        await web_chat.receive("customer", {"message": "查一下 ZT100000000001",
                                            "session_id": customer["session_id"]}, Assistant())
        assert sockets.texts("customer")[-1] == "您的快递 ZT100000000001 正在派送中"
        assert "stranger" not in sockets.members[customer["session_id"]]
        assert len(sockets.texts("stranger")) == 1  # the answer to its own 在吗, in its own session

    asyncio.run(scenario())


def test_the_customers_own_browser_resumes_the_session_after_a_reload() -> None:
    async def scenario() -> None:
        web_chat, sockets = channel()
        await web_chat.start_session("first-socket", {})
        given = confirmed(sockets, "first-socket")
        await web_chat.start_session("after-reload", dict(given))
        assert confirmed(sockets, "after-reload") == given
        await web_chat.receive("after-reload", {"message": "在吗", **given}, Assistant())
        assert sockets.texts("after-reload") and "after-reload" in sockets.members[given["session_id"]]

    asyncio.run(scenario())


def test_a_message_proving_its_session_is_answered_there_even_before_session_request() -> None:
    async def scenario() -> None:
        web_chat, sockets = channel()
        session_id = "0123456789abcdef0123456789abcdef"
        proof = {"session_id": session_id, "session_token": session_token(session_id)}
        await web_chat.receive("early", {"message": "在吗", **proof}, Assistant())
        assert "early" in sockets.members[session_id] and sockets.texts("early")

    asyncio.run(scenario())


def test_tokens_depend_on_the_secret_and_the_id(monkeypatch: pytest.MonkeyPatch) -> None:
    session_id = "0123456789abcdef0123456789abcdef"
    installation = session_token(session_id)
    assert installation == session_token(session_id) and installation != session_token(session_id[::-1])
    monkeypatch.setenv("CHAT_SESSION_SECRET", "s" * 32)
    get_settings.cache_clear()
    assert session_token(session_id) != installation
    assert not token_matches(session_id, installation)
    assert resumable_session({"session_id": session_id, "session_token": session_token(session_id)}) == session_id
    assert resumable_session({"session_id": session_id, "session_token": installation}) is None
    assert resumable_session(["not", "a", "dict"]) is None


def test_production_rasa_needs_its_own_chat_session_secret() -> None:
    strong = {"REDIS_URL": "redis://cache", "RASA_API_TOKEN": "t" * 32, "BACKEND_API_KEY": "k" * 32}
    held = ("RASA_API_TOKEN", "BACKEND_API_KEY", "CHAT_SESSION_SECRET")
    with pytest.raises(DemoSecretsRefused, match="CHAT_SESSION_SECRET"):
        refuse_demo_secrets(strong, held=held)
    refuse_demo_secrets({**strong, "CHAT_SESSION_SECRET": "c" * 32}, held=held)
