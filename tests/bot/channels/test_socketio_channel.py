"""The web chat channel's own logic: joining rooms for real (#13027), and refusing malformed input."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from socketio import AsyncServer

from bot.channels import handoff_gate
from bot.channels.inbound_guard import EMPTY_REPLY
from bot.channels.script_output import wrap_output
from bot.channels.socketio import SocketIOInput, client_metadata, join_room, push_problem, valid_session_id
from bot.settings import get_settings
from bot.vocabulary.script import detect_script
from tests.hostile_corpus import OVERSIZED


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


# --- issue 13: every message passes the inbound guard (findings 1, 6) ----------------------------------

class _RecordingSocketIO(SocketIOInput):
    """The channel with its replies collected instead of emitted (session persistence off: sender = sid)."""

    def __init__(self) -> None:
        super().__init__(session_persistence=False)
        self.collector = CollectingOutputChannel()

    def make_output_channel(self, metadata=None):
        return wrap_output(self.collector)


class _Assistant:
    def __init__(self) -> None:
        self.handled: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.handled.append(message)
        await message.output_channel.send_text_message(message.sender_id, "好的，这就帮您查询")


@pytest.fixture()
def no_handoff(monkeypatch):
    async def never(*args, **kwargs) -> str:
        return args[1]

    monkeypatch.setattr(handoff_gate, "route", never)


def _send(data, sid: str = "sid-socket-1") -> tuple[list[str], _Assistant]:
    channel, assistant = _RecordingSocketIO(), _Assistant()
    asyncio.run(channel.receive(sid, data, assistant))
    return [message["text"] for message in channel.collector.messages], assistant


@pytest.mark.security
@pytest.mark.parametrize("item", OVERSIZED, ids=lambda item: item.name)
def test_over_long_messages_get_a_polite_answer_and_never_reach_the_assistant(item, no_handoff) -> None:
    replies, assistant = _send({"message": item.text}, sid=f"sid-{item.name}")
    assert len(replies) == 1 and "精简" in replies[0] and assistant.handled == []


@pytest.mark.security
def test_a_traditional_over_long_message_is_answered_in_traditional(no_handoff) -> None:
    replies, _ = _send({"message": "請問我的包裹到哪裡了" * 200}, sid="sid-traditional-long")
    assert detect_script(replies[0]) == "traditional"


@pytest.mark.security
@pytest.mark.parametrize("data", [{"message": ""}, {"message": "  \n"}, {"message": "\ud800"},
                                  {"message": "\x01\x02"}, {"message": None}, {"message": 42}, {}, "在吗", None, [1]])
def test_nothing_to_read_gets_a_greeting_not_silence(data, no_handoff) -> None:
    replies, assistant = _send(data)
    assert replies == [EMPTY_REPLY] and assistant.handled == []


@pytest.mark.security
@pytest.mark.parametrize("metadata", [["a"], "text", 42, {"bad": "\ud800"}])
def test_the_assistant_gets_clean_text_and_object_metadata(metadata, no_handoff) -> None:
    replies, assistant = _send({"message": " 查件\ud83dZT100000000001\x00 ", "customData": metadata})
    message = assistant.handled[0]
    assert message.text == "查件ZT100000000001" and replies == ["好的，这就帮您查询"]
    assert message.metadata == {"channel": "socketio", "script": "neutral"}


@pytest.mark.security
def test_socketio_packets_are_bounded() -> None:
    channel = SocketIOInput()
    channel.blueprint(_Assistant())
    assert channel.sio.eio.max_http_buffer_size == get_settings().rasa_max_request_bytes


# --- issue 16: a tapped button keeps the customer's script; the page learns the script and who answers ---------

class _StateRecordingSocketIO(_RecordingSocketIO):
    def __init__(self) -> None:
        super().__init__()
        self.states: list[dict] = []

    async def announce_state(self, sender_id, script, with_person) -> None:
        self.states.append({"script": "traditional" if script.traditional else "simplified",
                            "with_person": with_person})


def _conversation(messages: list[dict], sid: str) -> tuple[_StateRecordingSocketIO, _Assistant]:
    channel, assistant = _StateRecordingSocketIO(), _Assistant()

    async def run() -> None:
        for data in messages:
            await channel.receive(sid, data, assistant)

    asyncio.run(run())
    return channel, assistant


def test_a_tapped_button_counts_in_the_script_of_its_title_not_its_payload(no_handoff) -> None:
    channel, assistant = _conversation([
        {"message": "我要投訴，快遞員態度很差"},
        # "確認提交" sends the Simplified payload "确认": the customer stays Traditional.
        {"message": "确认", "metadata": {"tapped": "確認提交"}},
        {"message": "5", "metadata": {"tapped": "5 非常滿意"}},
        # A neutral title ("好的" reads the same in both scripts) keeps the script too.
        {"message": "好的", "metadata": {"tapped": "好的"}},
    ], sid="sid-tap-traditional")
    assert [m.text for m in assistant.handled] == ["我要投訴，快遞員態度很差", "确认", "5", "好的"]
    assert [m.metadata["script"] for m in assistant.handled] == ["traditional", "traditional", "traditional", "neutral"]
    replies = [message["text"] for message in channel.collector.messages]
    assert all(detect_script(reply) == "traditional" for reply in replies), replies
    assert [state["script"] for state in channel.states] == ["traditional"] * 4


def test_typing_simplified_still_switches_the_script(no_handoff) -> None:
    channel, assistant = _conversation([{"message": "我要投訴"}, {"message": "确认"}], sid="sid-typed-simplified")
    assert [state["script"] for state in channel.states] == ["traditional", "simplified"]
    assert detect_script(channel.collector.messages[-1]["text"]) == "simplified"


def test_a_message_a_person_takes_tells_the_page_no_assistant_reply_is_coming(monkeypatch) -> None:
    async def agent_owns_it(*args, **kwargs) -> None:
        return None

    monkeypatch.setattr(handoff_gate, "route", agent_owns_it)
    channel, assistant = _conversation([{"message": "你好，在吗"}], sid="sid-with-agent")
    assert assistant.handled == [] and channel.states == [{"script": "simplified", "with_person": True}]
