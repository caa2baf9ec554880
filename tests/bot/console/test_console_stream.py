"""The console's event stream (`GET /console/api/stream`) and the chat page's typing signal, over HTTP.

Against the real web process (tests/bot/console/conftest.py): login, event format, what each event says, resuming
with Last-Event-ID, the bound on open streams, and `POST /chat/typing`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from tests.bot.backend.conftest import PRODUCTION_TEST_SECRETS
from tests.bot.backend.helpers import chat_session_headers
from tests.bot.console.conftest import ROOT, _env, login, open_handoff

STREAM = "/console/api/stream"
SECRET = PRODUCTION_TEST_SECRETS["CHAT_SESSION_SECRET"].encode()  # the console's backend signs chat sessions with it


@dataclass
class Event:
    name: str
    data: dict[str, Any]
    id: str | None


class Reader:
    """Server-sent events of one response, read as they arrive."""

    def __init__(self, response: requests.Response) -> None:
        self.response = response
        self.chunks = response.iter_content(chunk_size=None, decode_unicode=True)
        self.buffer = ""
        self.raw = ""

    def next_block(self) -> str:
        while "\n\n" not in self.buffer:
            chunk = next(self.chunks)
            self.buffer += chunk
            self.raw += chunk
        block, self.buffer = self.buffer.split("\n\n", 1)
        return block

    def wait_for(self, wanted: Callable[[Event], bool], seconds: float = 10.0) -> Event:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            fields: dict[str, str] = {}
            for line in self.next_block().split("\n"):
                if line and not line.startswith(":") and ":" in line:
                    key, value = line.split(":", 1)
                    fields[key] = value.removeprefix(" ")
            if "event" in fields:
                event = Event(fields["event"], json.loads(fields["data"]), fields.get("id"))
                if wanted(event):
                    return event
        raise AssertionError(f"no such event within {seconds} s; the stream said: {self.raw[-2000:]}")


@contextmanager
def stream(backend, agent: requests.Session, last_event_id: str | None = None) -> Iterator[Reader]:
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    response = agent.get(backend.base_url + STREAM, stream=True, timeout=(5, 20), headers=headers)
    try:
        assert response.status_code == 200, response.text
        yield Reader(response)
    finally:
        response.close()


def conv(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def inbound(backend, conversation: str, text: str) -> dict:
    reply = backend.post("/handoffs/inbound", json={"conversation_id": conversation, "text": text,
                                                    "channel": "socketio"})
    assert reply.status_code == 200, reply.text
    return reply.json()


def typing(backend, session_id: str, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(backend.base_url + "/chat/typing", timeout=15,
                         headers=chat_session_headers(session_id, SECRET) if headers is None else headers)


def test_the_stream_needs_a_session(desk_backend) -> None:
    for cookies in ({}, {"courier_console": "forged-token"}):
        reply = requests.get(desk_backend.base_url + STREAM, cookies=cookies, timeout=15)
        assert reply.status_code == 401 and reply.json()["detail"]["code"] == "login_required"


def test_a_bad_last_event_id_starts_from_now(desk_backend) -> None:
    agent = login(desk_backend, "li")
    for bad in ("garbage", "-1.-1", "1.2.3", "1234567890123.1", "' OR 1=1 --"):
        with stream(desk_backend, agent, last_event_id=bad) as events:
            assert events.wait_for(lambda e: True).name == "queue"
    too_long = agent.get(desk_backend.base_url + STREAM, headers={"Last-Event-ID": "1" * 41}, timeout=15)
    assert too_long.status_code == 422


def test_new_queue_items_and_customer_messages_are_pushed(desk_backend) -> None:
    agent = login(desk_backend, "li")
    with stream(desk_backend, agent) as events:
        assert events.response.headers["content-type"].startswith("text/event-stream")
        assert events.response.headers["x-accel-buffering"] == "no"
        assert events.response.headers["cache-control"] == "no-store"
        first = events.wait_for(lambda e: True)
        assert events.raw.startswith("retry: 3000\n\n")
        # Every connection begins with a queue event: the page's cue to re-sync.
        assert first.name == "queue" and first.id is not None
        conversation = conv("sse")
        handoff_id = open_handoff(desk_backend, conversation)["handoff_id"]
        queued = events.wait_for(lambda e: e.name == "queue" and handoff_id in e.data["new"])
        assert queued.data["waiting"] >= 1
        inbound(desk_backend, conversation, "我的快件还没到")
        message = events.wait_for(lambda e: e.name == "handoff_message" and e.data["handoff_id"] == handoff_id)
        assert message.data["author"] == "customer"
        assert message.id == f"{message.data['id']}.{message.id.split('.')[1]}"
        shown = agent.get(f"{desk_backend.base_url}/console/api/handoffs/{handoff_id}/messages",
                          params={"after": message.data["id"] - 1}, timeout=15).json()["messages"]
        assert shown[0]["text"] == "我的快件还没到"


# Another web process of a cluster, in miniature: a separate process writes to the same database.
OTHER_PROCESS_WRITES = """
import sys
from bot.backend.public import new_session, utcnow
from bot.console.models import HandoffMessage
with new_session() as session:
    session.add(HandoffMessage(handoff_id=int(sys.argv[1]), author="customer", text=sys.argv[2], created_at=utcnow()))
    session.commit()
"""


def test_a_message_written_by_another_process_reaches_the_stream(desk_backend) -> None:
    agent = login(desk_backend, "li")
    handoff_id = open_handoff(desk_backend, conv("process"))["handoff_id"]
    with stream(desk_backend, agent) as events:
        events.wait_for(lambda e: e.name == "queue")
        subprocess.run([sys.executable, "-c", OTHER_PROCESS_WRITES, str(handoff_id), "别的进程收到的"], cwd=ROOT,
                       env=_env(desk_backend), timeout=60, check=True, capture_output=True)
        seen = events.wait_for(lambda e: e.name == "handoff_message" and e.data["handoff_id"] == handoff_id)
    texts = [m["text"] for m in agent.get(f"{desk_backend.base_url}/console/api/handoffs/{handoff_id}/messages",
                                          params={"after": seen.data["id"] - 1}, timeout=15).json()["messages"]]
    assert texts == ["别的进程收到的"]


def test_another_teams_handoffs_are_not_streamed(desk_backend) -> None:
    agent = login(desk_backend, "sun")  # claims team
    with stream(desk_backend, agent) as events:
        events.wait_for(lambda e: e.name == "queue")
        general = conv("other")
        general_id = open_handoff(desk_backend, general)["handoff_id"]
        inbound(desk_backend, general, "你好")
        claims = conv("mine")
        claims_id = open_handoff(desk_backend, claims, reason="claim")["handoff_id"]
        inbound(desk_backend, claims, "理赔进度")
        seen = events.wait_for(lambda e: e.name == "handoff_message" and e.data["handoff_id"] in (general_id, claims_id))
        assert seen.data["handoff_id"] == claims_id


def test_a_reconnection_resumes_after_its_last_event_id(desk_backend) -> None:
    agent = login(desk_backend, "li")
    conversation = conv("resume")
    handoff_id = open_handoff(desk_backend, conversation)["handoff_id"]
    with stream(desk_backend, agent) as events:
        events.wait_for(lambda e: e.name == "queue")
        inbound(desk_backend, conversation, "第一条")
        last = events.wait_for(lambda e: e.name == "handoff_message" and e.data["handoff_id"] == handoff_id)
    # While the page was away, two more messages; the resumed stream gives them, not the first again.
    inbound(desk_backend, conversation, "第二条")
    inbound(desk_backend, conversation, "第三条")
    with stream(desk_backend, agent, last_event_id=last.id) as events:
        ids = [events.wait_for(lambda e: e.name == "handoff_message" and e.data["handoff_id"] == handoff_id).data["id"]
               for _ in range(2)]
    assert ids[0] > last.data["id"] and ids[1] > ids[0]
    # Without an id the stream starts from now: nothing old is replayed.
    with stream(desk_backend, agent) as events:
        events.wait_for(lambda e: e.name == "queue")
        inbound(desk_backend, conversation, "第四条")
        fresh = events.wait_for(lambda e: e.name == "handoff_message" and e.data["handoff_id"] == handoff_id)
        assert fresh.data["id"] > ids[1]


def test_typing_reaches_the_owning_agent_and_is_rate_limited(desk_backend) -> None:
    agent = login(desk_backend, "zhao")
    conversation = conv("typing")
    handoff_id = open_handoff(desk_backend, conversation)["handoff_id"]
    # Waiting: nobody to tell, nothing changes (and the answer does not say whether a handoff exists).
    assert typing(desk_backend, conversation).status_code == 204
    accepted = agent.post(f"{desk_backend.base_url}/console/api/handoffs/{handoff_id}/accept", timeout=30)
    assert accepted.status_code == 200, accepted.text
    with stream(desk_backend, agent) as events:
        events.wait_for(lambda e: e.name == "queue")
        time.sleep(1.6)  # past the per-session spacing of the first signal
        assert typing(desk_backend, conversation).status_code == 204
        seen = events.wait_for(lambda e: e.name == "typing")
        assert seen.data == {"handoff_id": handoff_id} and seen.id is None
    again = typing(desk_backend, conversation)
    assert again.status_code == 429 and again.json()["detail"]["code"] == "too_many_signals"
    for bad in ("", "short", "../../etc/passwd", "x" * 65):
        assert typing(desk_backend, bad, {"X-Chat-Session": bad}).status_code == 400
    # The id alone (agents see it) or another chat's token proves nothing.
    for headers in ({"X-Chat-Session": conversation}, chat_session_headers(conversation, b"not-the-secret"),
                    {**chat_session_headers(conv("other"), SECRET), "X-Chat-Session": conversation}):
        refused = typing(desk_backend, conversation, headers)
        assert refused.status_code == 403 and refused.json()["detail"]["code"] == "session_unverified"


def test_open_streams_are_bounded_per_agent(desk_backend) -> None:
    agent = login(desk_backend, "vipdesk")
    responses = [agent.get(desk_backend.base_url + STREAM, stream=True, timeout=(5, 20)) for _ in range(4)]
    try:
        assert [r.status_code for r in responses] == [200] * 4
        refused = agent.get(desk_backend.base_url + STREAM, timeout=15)
        assert refused.status_code == 429 and refused.json()["detail"]["code"] == "too_many_streams"
    finally:
        for response in responses:
            response.close()
    # A closed stream gives its slot back (the server notices the disconnection within a poll or two).
    deadline = time.monotonic() + 10
    while True:
        again = agent.get(desk_backend.base_url + STREAM, stream=True, timeout=(5, 20))
        again.close()
        if again.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert again.status_code == 200
