"""The REST channel's request handling with a scripted assistant in place of Rasa (issue 13: 1, 6, 8)."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import UserMessage

from bot.channels import handoff_gate
from bot.channels.inbound_guard import EMPTY_REPLY, ERROR_REPLY
from bot.channels.rest import ScriptAwareRestInput, read_body
from bot.vocabulary.script import detect_script
from tests.hostile_corpus import CORPUS, OVERSIZED

pytestmark = pytest.mark.security


class Assistant:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.handled: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.handled.append(message)
        if self.fail:
            raise RuntimeError("model exploded")
        await message.output_channel.send_text_message(message.sender_id, "好的，这就帮您查询")


@pytest.fixture(autouse=True)
def no_handoff(monkeypatch):
    async def never(*args, **kwargs) -> str:
        return args[1]

    monkeypatch.setattr(handoff_gate, "route", never)


def request(body) -> SimpleNamespace:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return SimpleNamespace(body=raw)


def post(body, assistant: Assistant | None = None) -> tuple[int, object]:
    """What the webhook answers: status and JSON body."""
    assistant = assistant or Assistant()
    parsed, problem = read_body(request(body))
    if parsed is None:
        return 400, {"error": problem}
    reply = asyncio.run(ScriptAwareRestInput().receive(str(parsed["sender"]), parsed, assistant))
    return reply.status, json.loads(reply.body)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"not json", "body must be JSON"),
        (b"\xff\xfe", "body must be JSON"),
        (b"", "body must be JSON"),
        ([1, 2], "JSON object"),
        ("just a string", "JSON object"),
        ({"message": "在吗"}, "sender is required"),
        ({"sender": "", "message": "在吗"}, "sender is required"),
        ({"sender": None, "message": "在吗"}, "sender is required"),
        ({"sender": "x" * 200, "message": "在吗"}, "at most 128"),
        ({"sender": "ab\u0000c", "message": "在吗"}, "printable"),
        ({"sender": "tester", "message": 42}, "message must be a string"),
        ({"sender": "tester"}, "message must be a string"),
    ],
)
def test_malformed_requests_get_a_clear_400(body, words: str) -> None:
    status, answer = post(body)
    assert status == 400 and words in answer["error"]


def test_a_128_character_sender_is_served() -> None:
    status, answer = post({"sender": "s" * 128, "message": "在吗"})
    assert status == 200 and answer[0]["text"] == "好的，这就帮您查询"


@pytest.mark.parametrize("item", OVERSIZED, ids=lambda item: item.name)
def test_over_long_messages_get_a_polite_answer_and_never_reach_the_assistant(item) -> None:
    assistant = Assistant()
    status, answer = post({"sender": f"long-{item.name}", "message": item.text}, assistant)
    assert status == 200 and "精简" in answer[0]["text"] and "1000" in answer[0]["text"]
    assert assistant.handled == []


def test_a_traditional_writer_is_asked_in_traditional() -> None:
    status, answer = post({"sender": "tw-long", "message": "請問我的包裹到哪裡了" * 200})
    assert status == 200 and detect_script(answer[0]["text"]) == "traditional"
    assert "精簡" in answer[0]["text"]


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "\ud800", "\x00\x01\u200b"])
def test_empty_messages_get_a_greeting(text: str) -> None:
    assistant = Assistant()
    status, answer = post({"sender": "empty-1", "message": text}, assistant)
    assert status == 200 and answer == [{"recipient_id": "empty-1", "text": EMPTY_REPLY}]
    assert assistant.handled == []


def test_the_assistant_gets_clean_text() -> None:
    assistant = Assistant()
    post({"sender": "clean-1", "message": " 查件\ud83dZT100000000001\x00 "}, assistant)
    assert assistant.handled[0].text == "查件ZT100000000001"
    assert assistant.handled[0].input_channel == "rest"


@pytest.mark.parametrize("metadata", [["a"], "text", 42, None, {"x": "y" * 5000}])
def test_metadata_that_is_not_an_object_is_dropped_and_the_customer_answered(metadata) -> None:
    assistant = Assistant()
    status, answer = post({"sender": "meta-1", "message": "在吗", "metadata": metadata}, assistant)
    assert status == 200 and answer and assistant.handled[0].metadata == {}


def test_a_client_cannot_choose_the_input_channel() -> None:
    assistant = Assistant()
    post({"sender": "chan-1", "message": "在吗", "input_channel": ["socketio"]}, assistant)
    assert assistant.handled[0].input_channel == "rest"


def test_a_failing_assistant_becomes_an_apology() -> None:
    status, answer = post({"sender": "fail-1", "message": "在吗"}, Assistant(fail=True))
    assert status == 200 and answer[0]["text"] == ERROR_REPLY


@pytest.mark.parametrize("item", CORPUS, ids=lambda item: item.name)
def test_every_hostile_input_gets_a_non_empty_answer(item) -> None:
    status, answer = post({"sender": "corpus-1", "message": item.text})
    assert status == 200 and answer and all(message.get("text") for message in answer)
