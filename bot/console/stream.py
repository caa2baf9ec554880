"""`GET /console/api/stream`: server-sent events that tell the console what changed, so it need not poll.

Events (each `data:` is one JSON object):
- `queue`: the team's open handoffs changed (new, accepted, ended, cancelled, moved); `new` lists the ids of
  handoffs opened since the last event. Also sent once on every (re)connection, as a cue to re-sync.
- `handoff_message`: a message was added to a handoff the agent can see (`handoff_id`, `id`, `author`). Its
  event id is the stream's cursor, so a reconnecting EventSource resumes after it (Last-Event-ID).
- `typing`: the customer of a handoff this agent owns is typing (bot/console/typing.py).
- `logout`: the session ended or expired; the stream closes.
A comment line every HEARTBEAT_S keeps proxies (HAProxy's `timeout server`, nginx's `proxy_read_timeout`) from
closing a quiet stream.

Several web processes may serve the console: a stream learns of changes by reading the database every
POLL_S with cheap queries keyed on ids (`id > cursor`), so it sees what any process wrote. The event is a cue:
the page reads the messages themselves from `GET …/messages?after=`, which stays the one source of truth.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bot.backend.public import ApiError, new_session, utcnow
from bot.console.auth import agent_for_token
from bot.console.models import Handoff, HandoffMessage

POLL_S = 0.5
HEARTBEAT_S = 15.0
# The session is checked again this often, so a logout elsewhere (or expiry) ends the stream.
AUTH_CHECK_S = 30.0
RETRY_MS = 3000
BATCH = 100
# Per agent and web process: tabs of one agent, with room for a reconnect racing the old stream's close.
MAX_STREAMS_PER_AGENT = 4
# A typing signal older than this is stale when a stream starts.
TYPING_FRESH_S = 5.0
_CURSOR_RE = re.compile(r"^(\d{1,12})\.(\d{1,12})$")

# Per agent: each open stream's last sign of life. A stream that died without its cleanup (its response never
# began) stops counting after SLOT_STALE_S instead of holding the slot for good.
SLOT_STALE_S = 10.0
_open: dict[int, dict[int, float]] = {}
_open_lock = threading.Lock()
_next_slot = itertools.count(1)


@dataclass(frozen=True)
class Scope:
    """What one agent may see: the team's handoffs and those the agent owns (moved to another team after)."""

    agent_id: int
    team_code: str

    def handoffs(self) -> Any:
        return or_(Handoff.team_code == self.team_code, Handoff.agent_id == self.agent_id)


@dataclass
class Cursor:
    message_id: int
    handoff_id: int

    def event_id(self) -> str:
        return f"{self.message_id}.{self.handoff_id}"


def parse_cursor(raw: str | None) -> Cursor | None:
    match = _CURSOR_RE.match(raw or "")
    return Cursor(int(match.group(1)), int(match.group(2))) if match else None


def current_cursor(session: Session) -> Cursor:
    return Cursor(session.execute(select(func.coalesce(func.max(HandoffMessage.id), 0))).scalar_one(),
                  session.execute(select(func.coalesce(func.max(Handoff.id), 0))).scalar_one())


@dataclass
class StreamState:
    cursor: Cursor
    typing_since: datetime
    queue_signature: frozenset[tuple[int, str, int | None, str]] | None = None
    typing_seen: dict[int, datetime] = field(default_factory=dict)


def frame(event: str, data: dict[str, Any], event_id: str | None = None) -> str:
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines += [f"event: {event}", "data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":"))]
    return "\n".join(lines) + "\n\n"


def poll(session: Session, scope: Scope, state: StreamState) -> list[str]:
    """The frames for what changed since `state` (which it advances)."""
    frames: list[str] = []
    open_rows = session.execute(
        select(Handoff.id, Handoff.status, Handoff.agent_id, Handoff.team_code)
        .where(Handoff.status.in_(("waiting", "active")), scope.handoffs())
    ).all()
    signature = frozenset(tuple(row) for row in open_rows)
    if signature != state.queue_signature:
        new = sorted(row[0] for row in open_rows if row[0] > state.cursor.handoff_id)
        state.cursor.handoff_id = max([state.cursor.handoff_id, *new])
        state.queue_signature = signature
        frames.append(frame("queue", {"waiting": sum(1 for row in open_rows if row[1] == "waiting"), "new": new},
                            state.cursor.event_id()))
    messages = session.execute(
        select(HandoffMessage.id, HandoffMessage.handoff_id, HandoffMessage.author)
        .join(Handoff, Handoff.id == HandoffMessage.handoff_id)
        .where(HandoffMessage.id > state.cursor.message_id, scope.handoffs())
        .order_by(HandoffMessage.id).limit(BATCH)
    ).all()
    for message_id, handoff_id, author in messages:
        state.cursor.message_id = message_id
        frames.append(frame("handoff_message", {"handoff_id": handoff_id, "id": message_id, "author": author},
                            state.cursor.event_id()))
    typing = session.execute(
        select(Handoff.id, Handoff.customer_typing_at)
        .where(Handoff.agent_id == scope.agent_id, Handoff.status == "active",
               Handoff.customer_typing_at > state.typing_since)
    ).all()
    for handoff_id, at in typing:
        if state.typing_seen.get(handoff_id) != at:
            state.typing_seen[handoff_id] = at
            frames.append(frame("typing", {"handoff_id": handoff_id}))
    return frames


def _poll_once(scope: Scope, state: StreamState) -> list[str]:
    with new_session() as session:
        return poll(session, scope, state)


def _still_signed_in(token: str | None, agent_id: int) -> bool:
    with new_session() as session:
        agent = agent_for_token(session, token)
        return agent is not None and agent.id == agent_id


def claim_slot(agent_id: int) -> int:
    now = time.monotonic()
    with _open_lock:
        slots = _open.setdefault(agent_id, {})
        for slot, alive in list(slots.items()):
            if now - alive > SLOT_STALE_S:
                del slots[slot]
        if len(slots) >= MAX_STREAMS_PER_AGENT:
            raise ApiError(429, "too_many_streams", "您打开的工作台页面太多了，请关闭不用的页面后刷新。")
        slot = next(_next_slot)
        slots[slot] = now
        return slot


def _touch_slot(agent_id: int, slot: int) -> None:
    with _open_lock:
        _open.setdefault(agent_id, {})[slot] = time.monotonic()


def release_slot(agent_id: int, slot: int) -> None:
    with _open_lock:
        slots = _open.get(agent_id, {})
        slots.pop(slot, None)
        if not slots:
            _open.pop(agent_id, None)


def start_state(session: Session, last_event_id: str | None) -> StreamState:
    """Resume after the client's last event when it names a cursor, else start from now."""
    cursor = parse_cursor(last_event_id) or current_cursor(session)
    return StreamState(cursor=cursor, typing_since=utcnow() - timedelta(seconds=TYPING_FRESH_S))


async def events(scope: Scope, token: str | None, state: StreamState, slot: int) -> AsyncIterator[str]:
    """The stream's body; its slot is released however it ends (client gone, logout, server stopping)."""
    try:
        yield f"retry: {RETRY_MS}\n\n"
        now = time.monotonic()
        last_sent, last_auth = now, now
        while True:
            _touch_slot(scope.agent_id, slot)
            frames = await run_in_threadpool(_poll_once, scope, state)
            now = time.monotonic()
            if frames:
                yield "".join(frames)
                last_sent = now
            elif now - last_sent >= HEARTBEAT_S:
                yield ": keep-alive\n\n"
                last_sent = now
            if now - last_auth >= AUTH_CHECK_S:
                last_auth = now
                if not await run_in_threadpool(_still_signed_in, token, scope.agent_id):
                    yield frame("logout", {})
                    return
            await asyncio.sleep(POLL_S)
    finally:
        release_slot(scope.agent_id, slot)
