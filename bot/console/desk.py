"""The agent's side: the team queue, accepting a conversation, chatting, ending it (the assistant resumes)."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot.backend.public import ApiError, iso, utcnow
from bot.console import delivery, rasa_transcript
from bot.console.labels import slot_lines
from bot.console.models import Agent, CallbackRequest, Handoff, HandoffMessage
from bot.console.routing import waiting_order
from bot.console.views import masked_slots, message_view, summary, transcript

logger = logging.getLogger("bot.console")

RECENT_LIMIT = 20
# How long accepting waits for the assistant to finish a turn it is still answering (see _refresh_transcript).
TRANSCRIPT_WAIT_S = 2.0
# Without the agent's name: every channel already shows who writes (the web chat's label 人工客服 · 李娜,
# WeChat's 【人工客服李娜】 prefix), so a name here would be read twice.
JOINED_TEXT = "您好，人工客服已接入，接下来由我为您服务。"


def _names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Agent.id, Agent.display_name)).all())


def queue(session: Session, agent: Agent) -> dict[str, Any]:
    names = _names(session)
    waiting = session.execute(
        select(Handoff).where(Handoff.team_code == agent.team_code, Handoff.status == "waiting")
        .order_by(*waiting_order())
    ).scalars().all()
    mine = session.execute(
        select(Handoff).where(Handoff.agent_id == agent.id, Handoff.status == "active").order_by(Handoff.id)
    ).scalars().all()
    recent = session.execute(
        select(Handoff).where(Handoff.team_code == agent.team_code,
                              Handoff.status.in_(("ended", "cancelled", "active")),
                              or_(Handoff.agent_id != agent.id, Handoff.agent_id.is_(None),
                                  Handoff.status != "active"))
        .order_by(Handoff.id.desc()).limit(RECENT_LIMIT)
    ).scalars().all()
    return {
        "team": agent.team_code,
        "waiting": [summary(session, h, names) for h in waiting],
        "mine": [summary(session, h, names) for h in mine],
        "recent": [summary(session, h, names) for h in recent],
        "callbacks_open": session.execute(
            select(func.count(CallbackRequest.id)).where(CallbackRequest.team_code == agent.team_code,
                                                         CallbackRequest.status == "open")).scalar_one(),
    }


def get_handoff(session: Session, handoff_id: int, agent: Agent) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None or (handoff.team_code != agent.team_code and handoff.agent_id != agent.id):
        raise ApiError(404, "handoff_not_found", "没有找到这个会话，或它不属于您的团队。")
    return handoff


def messages(session: Session, handoff: Handoff, after: int = 0) -> list[dict[str, Any]]:
    rows = session.execute(
        select(HandoffMessage).where(HandoffMessage.handoff_id == handoff.id, HandoffMessage.id > after)
        .order_by(HandoffMessage.id)
    ).scalars().all()
    agents = {a.id: a for a in session.execute(select(Agent)).scalars()}
    views = [message_view(row, agents.get(row.agent_id or 0)) for row in rows]
    shown = _shown_in_transcript(session, handoff)
    for view in views:
        if view["id"] in shown:
            view["in_transcript"] = True
    return views


def _shown_in_transcript(session: Session, handoff: Handoff) -> set[int]:
    """Customer messages from the wait that the refreshed transcript already shows (not to be shown twice)."""
    if handoff.accepted_at is None or '"during_wait"' not in (handoff.transcript_json or ""):
        return set()
    waited = session.execute(
        select(HandoffMessage).where(HandoffMessage.handoff_id == handoff.id, HandoffMessage.author == "customer",
                                     HandoffMessage.created_at <= handoff.accepted_at)
        .order_by(HandoffMessage.id)
    ).scalars().all()
    return rasa_transcript.already_in_transcript(transcript(handoff), list(waited))


def detail(session: Session, handoff: Handoff) -> dict[str, Any]:
    slots = masked_slots(handoff)
    return {**summary(session, handoff, _names(session)), "slots": slots, "slot_lines": slot_lines(slots),
            "transcript": transcript(handoff), "messages": messages(session, handoff)}


def accept(session: Session, handoff: Handoff, agent: Agent) -> dict[str, Any]:
    if handoff.team_code != agent.team_code:
        raise ApiError(403, "other_team", "这个会话属于其他团队的队列。")
    now = utcnow()
    # A conditional update, so two agents clicking at once cannot both own the conversation.
    result = session.execute(
        update(Handoff).where(Handoff.id == handoff.id, Handoff.status == "waiting")
        .values(status="active", agent_id=agent.id, accepted_at=now)
    )
    session.commit()
    if result.rowcount != 1:
        session.refresh(handoff)
        raise ApiError(409, "not_waiting", "这个会话已被接入或已结束。", handoff_status=handoff.status)
    session.refresh(handoff)
    _refresh_transcript(session, handoff)
    _system_message(session, handoff, JOINED_TEXT, agent)
    logger.info("handoff %s accepted by %s", handoff.id, agent.username)
    return detail(session, handoff)


def _refresh_transcript(session: Session, handoff: Handoff) -> None:
    """What the customer and the assistant said while the conversation waited joins the transcript.

    Rasa stores a tracker when a turn is over, so a message the assistant is still answering is not in it yet:
    while a customer message of the wait is missing, the tracker is read again, for a short while.
    """
    waited = session.execute(
        select(HandoffMessage).where(HandoffMessage.handoff_id == handoff.id, HandoffMessage.author == "customer",
                                     HandoffMessage.created_at <= handoff.accepted_at)
        .order_by(HandoffMessage.id)
    ).scalars().all()
    deadline = time.monotonic() + TRANSCRIPT_WAIT_S
    while True:
        lines = rasa_transcript.fetch(handoff.conversation_id)
        if lines is None:
            return
        merged = rasa_transcript.refreshed(transcript(handoff), lines, handoff)
        complete = len(rasa_transcript.already_in_transcript(merged, list(waited))) == len(waited)
        if complete or time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    handoff.transcript_json = json.dumps(merged, ensure_ascii=False)
    session.commit()


def send(session: Session, handoff: Handoff, agent: Agent, text: str) -> dict[str, Any]:
    _require_owner(handoff, agent)
    message = HandoffMessage(handoff_id=handoff.id, author="agent", agent_id=agent.id, text=text,
                             created_at=utcnow())
    session.add(message)
    session.commit()
    sent = delivery.push_text(handoff.channel, handoff.conversation_id, text,
                              {"role": "agent", "name": agent.display_name})
    message.delivered, message.delivery_ms = sent.delivered, sent.elapsed_ms
    session.commit()
    view = message_view(message, agent)
    if sent.problem:
        view["problem"] = sent.problem
    return view


def end(session: Session, handoff: Handoff, agent: Agent) -> dict[str, Any]:
    _require_owner(handoff, agent)
    handoff.status = "ended"
    handoff.ended_at = utcnow()
    session.add(HandoffMessage(handoff_id=handoff.id, author="system", agent_id=agent.id,
                               text=f"{agent.display_name}结束了人工服务，智能客服已接回对话。", created_at=utcnow()))
    session.commit()
    resumed = delivery.hand_back(handoff.conversation_id)
    logger.info("handoff %s ended by %s (assistant resumed: %s)", handoff.id, agent.username, resumed.delivered)
    return {**detail(session, handoff), "assistant_resumed": resumed.delivered, "problem": resumed.problem}


def _require_owner(handoff: Handoff, agent: Agent) -> None:
    if handoff.status != "active" or handoff.agent_id != agent.id:
        raise ApiError(409, "not_yours", "只有接入这个会话的客服才能回复或结束它。")


def _system_message(session: Session, handoff: Handoff, text: str, agent: Agent) -> None:
    sent = delivery.push_text(handoff.channel, handoff.conversation_id, text,
                              {"role": "agent", "name": agent.display_name})
    session.add(HandoffMessage(handoff_id=handoff.id, author="agent", agent_id=agent.id, text=text,
                               created_at=utcnow(), delivered=sent.delivered, delivery_ms=sent.elapsed_ms))
    session.commit()


def callbacks(session: Session, agent: Agent) -> list[dict[str, Any]]:
    rows = session.execute(
        select(CallbackRequest).where(CallbackRequest.team_code == agent.team_code)
        .order_by(CallbackRequest.status, CallbackRequest.is_vip.desc(), CallbackRequest.call_after)
        .limit(100)
    ).scalars().all()
    # Agents call these numbers, so the number is shown in full here (and only here).
    return [{"id": row.id, "phone": row.phone, "reason": row.reason, "is_vip": row.is_vip,
             "call_after": iso(row.call_after), "status": row.status, "created_at": iso(row.created_at)}
            for row in rows]


def close_callback(session: Session, callback_id: int, agent: Agent) -> dict[str, Any]:
    row = session.get(CallbackRequest, callback_id)
    if row is None or row.team_code != agent.team_code:
        raise ApiError(404, "callback_not_found", "没有找到这条回电登记。")
    row.status = "done"
    session.commit()
    return {"id": row.id, "status": row.status}
