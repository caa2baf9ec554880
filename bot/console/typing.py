"""`POST /chat/typing`: the web chat page says its customer is typing, while an agent owns the chat.

Sent by bot/web/app.js at most every TYPING_EVERY_S while the customer types in a handed-off chat; the
console's stream (bot/console/stream.py) shows "顾客正在输入…" for a few seconds. As for photo uploads, the
chat session is named by `X-Chat-Session` and proven by its token `X-Chat-Session-Token` (the one the channel
gave that browser, bot/chat_session_token.py): the id alone is seen by agents and in logs, and must not let a
stranger make an agent wait for words that never come. Only a handoff that is active for that conversation is
touched. Rate-limited per session and per client address in this process, before the database is touched.
"""

from __future__ import annotations

import re
import threading
import time

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.backend.public import ApiError, get_session, utcnow
from bot.chat_session_token import token_matches
from bot.console.client_address import client_address
from bot.console.models import Handoff

ROUTE = "/chat/typing"
TYPING_EVERY_S = 2.0
# The page sends at most one signal per TYPING_EVERY_S; a little slack for timers and network jitter.
SESSION_SPACING_S = 1.5
ADDRESS_PER_MINUTE = 120
SESSION_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

router = APIRouter(tags=["chat"])


class Limiter:
    """One signal per session every SESSION_SPACING_S, ADDRESS_PER_MINUTE per address; keys kept bounded."""

    MAX_KEYS = 20000

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._minute: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def allow(self, session_id: str, address: str | None, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            last = self._last.get(session_id)
            if last is not None and now - last < SESSION_SPACING_S:
                return False
            if address:
                window = int(now // 60)
                seen_window, count = self._minute.get(address, (window, 0))
                count = count if seen_window == window else 0
                if count >= ADDRESS_PER_MINUTE:
                    return False
                self._minute[address] = (window, count + 1)
            self._last.pop(session_id, None)
            self._last[session_id] = now
            for table in (self._last, self._minute):
                while len(table) > self.MAX_KEYS:
                    table.pop(next(iter(table)))
            return True

    def clear(self) -> None:
        with self._lock:
            self._last.clear()
            self._minute.clear()


limiter = Limiter()


@router.post(ROUTE, status_code=204)
def customer_typing(request: Request, session: Session = Depends(get_session)) -> Response:
    session_id = request.headers.get("x-chat-session") or ""
    if not SESSION_RE.match(session_id):
        raise ApiError(400, "session_missing", "没有识别到当前对话，请刷新聊天页面。")
    if not token_matches(session_id, request.headers.get("x-chat-session-token")):
        raise ApiError(403, "session_unverified", "抱歉，无法确认这是您的对话，请刷新聊天页面。")
    if not limiter.allow(session_id, client_address(request)):
        raise ApiError(429, "too_many_signals", "请求太频繁了，请稍后再试。")
    session.execute(update(Handoff).where(Handoff.conversation_id == session_id, Handoff.status == "active")
                    .values(customer_typing_at=utcnow()))
    session.commit()
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
