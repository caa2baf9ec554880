"""`POST /chat/typing`: the web chat page says its customer is typing, while an agent owns the chat.

Sent by bot/web/app.js at most every TYPING_EVERY_S while the customer types in a handed-off chat; the
console's stream (bot/console/stream.py) shows "顾客正在输入…" for a few seconds. As for photo uploads, the
chat session is named by `X-Chat-Session` and proven by its token `X-Chat-Session-Token` (the one the channel
gave that browser, bot/chat_session_token.py): the id alone is seen by agents and in logs, and must not let a
stranger make an agent wait for words that never come. Only a handoff that is active for that conversation is
touched. Rate-limited per session and per client address in this process, before the database is touched.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.backend.public import ApiError, RecentAttempts, get_session, utcnow
from bot.chat_session_token import SESSION_ID_PATTERN, token_matches
from bot.console.client_address import client_address
from bot.console.models import Handoff

ROUTE = "/chat/typing"
TYPING_EVERY_S = 2.0
# The page sends at most one signal per TYPING_EVERY_S; a little slack for timers and network jitter.
SESSION_SPACING_S = 1.5
ADDRESS_PER_MINUTE = 120

router = APIRouter(tags=["chat"])


def allowed(session_id: str, address: str | None) -> bool:
    """One signal per session every SESSION_SPACING_S and ADDRESS_PER_MINUTE per client address."""
    if not signals.allow(f"session:{session_id}", 1, window_s=SESSION_SPACING_S):
        return False
    return not address or signals.allow(f"address:{address}", ADDRESS_PER_MINUTE, window_s=60)


signals = RecentAttempts()


@router.post(ROUTE, status_code=204)
def customer_typing(request: Request, session: Session = Depends(get_session)) -> Response:
    session_id = request.headers.get("x-chat-session") or ""
    if not SESSION_ID_PATTERN.match(session_id):
        raise ApiError(400, "session_missing", "没有识别到当前对话，请刷新聊天页面。")
    if not token_matches(session_id, request.headers.get("x-chat-session-token")):
        raise ApiError(403, "session_unverified", "抱歉，无法确认这是您的对话，请刷新聊天页面。")
    if not allowed(session_id, client_address(request)):
        raise ApiError(429, "too_many_signals", "请求太频繁了，请稍后再试。")
    session.execute(update(Handoff).where(Handoff.conversation_id == session_id, Handoff.status == "active")
                    .values(customer_typing_at=utcnow()))
    session.commit()
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
