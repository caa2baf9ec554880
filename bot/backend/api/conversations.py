"""Conversation events (started / resolved / handed_off) that feed the containment KPI."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from bot.backend.api.deps import endpoint_of, idempotency_key
from bot.backend.db import get_session
from bot.backend.schemas import ConversationEventIn
from bot.backend.services import feedback
from bot.backend.services.idempotency import run_once

router = APIRouter(prefix="/conversations", tags=["conversations"])


@router.post("/{conversation_id}/events", status_code=201)
def add_conversation_event(body: ConversationEventIn, request: Request,
                           conversation_id: str = Path(..., min_length=1, max_length=128),
                           session: Session = Depends(get_session),
                           key: Optional[str] = Depends(idempotency_key)) -> JSONResponse:
    return run_once(session, key, endpoint_of(request), body.dict(),
                    lambda: (201, feedback.add_conversation_event(session, conversation_id, body)))
