"""The web chat channel's own logic: joining rooms for real (#13027), and refusing malformed input."""

from __future__ import annotations

import asyncio

import pytest
from socketio import AsyncServer

from bot.channels.socketio import client_metadata, join_room, push_problem, valid_session_id


async def _rooms_after(enter) -> list[str]:
    sio = AsyncServer(async_mode="asgi")
    sio.manager.set_server(sio)
    sio.manager.initialize()
    sid = await sio.manager.connect("engine-io-sid", "/")
    await enter(sio, sid)
    return sio.rooms(sid)


def test_join_room_really_enters_the_room() -> None:
    rooms = asyncio.run(_rooms_after(lambda sio, sid: join_room(sio, sid, "session-123")))
    assert "session-123" in rooms


def test_the_stock_channel_call_does_not_enter_the_room() -> None:
    """Why the stock channel loses replies: enter_room() is a coroutine, and calling it unawaited does nothing."""

    async def stock_call(sio: AsyncServer, sid: str) -> None:
        pending = sio.enter_room(sid, "session-123")
        pending.close()  # what an unawaited coroutine amounts to, without the warning

    assert "session-123" not in asyncio.run(_rooms_after(stock_call))


@pytest.mark.parametrize("value", ["0123456789abcdef0123456789abcdef", "web_chat-0001"])
def test_session_ids_the_page_makes_are_accepted(value: str) -> None:
    assert valid_session_id(value) == value


@pytest.mark.parametrize("value", [None, 42, "", "short", "has space in it", "x" * 65, "../../etc/passwd"])
def test_other_session_ids_are_replaced(value) -> None:
    assert valid_session_id(value) is None


def test_client_metadata_accepts_small_objects_only() -> None:
    assert client_metadata({"page": "/chat/"}) == {"page": "/chat/"}
    assert client_metadata('{"page": "/chat/"}') == {"page": "/chat/"}
    assert client_metadata("not json") == {}
    assert client_metadata(["a", "list"]) == {}
    assert client_metadata({"blob": "x" * 5000}) == {}


def test_a_good_push_has_no_problem() -> None:
    body = {"session_id": "abc123abc123", "text": "您好", "buttons": [{"title": "好的", "payload": "/affirm"}],
            "image": "https://example.com/a.png"}
    assert push_problem(body) is None
    assert push_problem({"sender_id": "abc123abc123", "text": "您好"}) is None


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([], "JSON object"),
        ({"text": "hi"}, "session_id"),
        ({"session_id": "abc123abc123", "text": "  "}, "text is required"),
        ({"session_id": "abc123abc123", "text": "x" * 4001}, "longer than"),
        ({"session_id": "abc123abc123", "text": "hi", "buttons": [{"title": "t"}]}, "buttons"),
        ({"session_id": "abc123abc123", "text": "hi", "buttons": "yes"}, "buttons"),
        ({"session_id": "abc123abc123", "text": "hi", "image": "javascript:alert(1)"}, "image"),
    ],
)
def test_bad_pushes_are_explained(body, words: str) -> None:
    assert words in push_problem(body)
