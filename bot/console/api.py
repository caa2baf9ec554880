"""HTTP routes: the handoff service API for the assistant (X-API-Key) and the agents' console (session)."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Cookie, Depends, Header, HTTPException, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse, StreamingResponse
from sqlalchemy.orm import Session

from bot.backend.public import ApiError, get_session, require_api_key
from bot.console import context, desk, handoffs, kpi, login_throttle, review, stream
from bot.console.auth import (
    COOKIE,
    authenticate,
    close_session,
    current_agent,
    current_supervisor,
    open_session,
)
from bot.console.client_address import client_address
from bot.console.models import Agent, Team
from bot.console.schemas import (
    AgentMessageIn,
    CallbackIn,
    HandoffIn,
    InboundIn,
    LoginIn,
    QuickClaimIn,
    QuickComplaintIn,
    ReviewLabelsIn,
)

# --- for the assistant: actions open handoffs, the channel gate forwards customer messages ---------------
service_router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_api_key)], tags=["handoffs"])


@service_router.post("/handoffs", status_code=201)
def create_handoff(body: HandoffIn, session: Session = Depends(get_session)) -> dict[str, Any]:
    return handoffs.create(session, body)


@service_router.post("/handoffs/inbound")
def inbound(body: InboundIn, session: Session = Depends(get_session)) -> dict[str, Any]:
    return handoffs.inbound(session, body)


@service_router.get("/handoffs/by-conversation/{conversation_id}")
def handoff_state(conversation_id: str = Path(..., min_length=1, max_length=128),
                  session: Session = Depends(get_session)) -> dict[str, Any]:
    return handoffs.state(session, conversation_id)


@service_router.post("/callbacks", status_code=201)
def create_callback(body: CallbackIn, session: Session = Depends(get_session)) -> dict[str, Any]:
    return handoffs.create_callback(session, body)


# --- for agents: everything but login needs the session cookie --------------------------------------------
public_router = APIRouter(prefix="/console/api", tags=["console"])
console_router = APIRouter(prefix="/console/api", dependencies=[Depends(current_agent)], tags=["console"])


def _agent_view(session: Session, agent: Agent) -> dict[str, Any]:
    team = session.get(Team, agent.team_code)
    return {"id": agent.id, "username": agent.username, "display_name": agent.display_name, "team": agent.team_code,
            "team_name": team.name if team else agent.team_code, "role": agent.role}


@public_router.post("/login")
def login(body: LoginIn, request: Request, response: Response,
          session: Session = Depends(get_session)) -> dict[str, Any]:
    try:
        attempt = login_throttle.begin(session, body.username, client_address(request))
    except login_throttle.TooManyAttempts as locked:
        raise HTTPException(429, headers={"Retry-After": str(locked.retry_after_s)},
                            detail={"code": "too_many_attempts", "message": locked.message,
                                    "retry_after_s": locked.retry_after_s}) from None
    agent = authenticate(session, body.username, body.password)
    if agent is None:
        login_throttle.failed(attempt)
        raise ApiError(401, "bad_credentials", "用户名或密码不正确。")
    login_throttle.succeeded(session, attempt)
    open_session(session, agent, response)
    return _agent_view(session, agent)


@public_router.post("/logout")
def logout(response: Response, session: Session = Depends(get_session),
           token: Optional[str] = Cookie(None, alias=COOKIE)) -> dict[str, Any]:
    close_session(session, token, response)
    return {"status": "logged_out"}


@console_router.get("/me")
def me(agent: Agent = Depends(current_agent), session: Session = Depends(get_session)) -> dict[str, Any]:
    return _agent_view(session, agent)


@console_router.get("/queue")
def queue(agent: Agent = Depends(current_agent), session: Session = Depends(get_session)) -> dict[str, Any]:
    return desk.queue(session, agent)


@console_router.get("/stream")
def events(agent: Agent = Depends(current_agent), session: Session = Depends(get_session),
           token: Optional[str] = Cookie(None, alias=COOKIE),
           last_event_id: Optional[str] = Header(None, max_length=40)) -> StreamingResponse:
    """Server-sent events for the console page (bot/console/stream.py); the page polls only while it is down."""
    scope = stream.Scope(agent_id=agent.id, team_code=agent.team_code)
    state = stream.start_state(session, last_event_id)
    slot = stream.claim_slot(agent.id)
    # X-Accel-Buffering: nginx (and ingress-nginx) would otherwise hold the events back in its buffer.
    return StreamingResponse(stream.events(scope, token, state, slot), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@console_router.get("/handoffs/{handoff_id}")
def handoff_detail(handoff_id: int, agent: Agent = Depends(current_agent),
                   session: Session = Depends(get_session)) -> dict[str, Any]:
    return desk.detail(session, desk.get_handoff(session, handoff_id, agent))


@console_router.get("/handoffs/{handoff_id}/messages")
def handoff_messages(handoff_id: int, after: int = Query(0, ge=0), agent: Agent = Depends(current_agent),
                     session: Session = Depends(get_session)) -> dict[str, Any]:
    handoff = desk.get_handoff(session, handoff_id, agent)
    return {"status": handoff.status, "messages": desk.messages(session, handoff, after)}


@console_router.post("/handoffs/{handoff_id}/accept")
def accept(handoff_id: int, agent: Agent = Depends(current_agent),
           session: Session = Depends(get_session)) -> dict[str, Any]:
    return desk.accept(session, desk.get_handoff(session, handoff_id, agent), agent)


@console_router.post("/handoffs/{handoff_id}/messages", status_code=201)
def send(handoff_id: int, body: AgentMessageIn, agent: Agent = Depends(current_agent),
         session: Session = Depends(get_session)) -> dict[str, Any]:
    return desk.send(session, desk.get_handoff(session, handoff_id, agent), agent, body.text)


@console_router.post("/handoffs/{handoff_id}/end")
def end(handoff_id: int, agent: Agent = Depends(current_agent),
        session: Session = Depends(get_session)) -> dict[str, Any]:
    return desk.end(session, desk.get_handoff(session, handoff_id, agent), agent)


@console_router.get("/handoffs/{handoff_id}/context")
def customer_context(handoff_id: int, agent: Agent = Depends(current_agent),
                     session: Session = Depends(get_session)) -> dict[str, Any]:
    return context.context(session, desk.get_handoff(session, handoff_id, agent))


@console_router.get("/handoffs/{handoff_id}/photos/{kind}/{name}")
def handoff_photo(handoff_id: int, kind: str = Path(..., max_length=16), name: str = Path(..., max_length=48),
                  agent: Agent = Depends(current_agent), session: Session = Depends(get_session)) -> Response:
    content, content_type = context.photo(session, desk.get_handoff(session, handoff_id, agent), kind, name)
    # Personal data: no shared cache keeps it, and the browser takes it for the image it says it is.
    return Response(content, media_type=content_type, headers={
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


@console_router.post("/handoffs/{handoff_id}/complaints", status_code=201)
def quick_complaint(handoff_id: int, body: QuickComplaintIn, agent: Agent = Depends(current_agent),
                    session: Session = Depends(get_session)) -> dict[str, Any]:
    return context.open_complaint(session, desk.get_handoff(session, handoff_id, agent), body)


@console_router.post("/handoffs/{handoff_id}/claims", status_code=201)
def quick_claim(handoff_id: int, body: QuickClaimIn, agent: Agent = Depends(current_agent),
                session: Session = Depends(get_session)) -> dict[str, Any]:
    return context.open_claim(session, desk.get_handoff(session, handoff_id, agent), body)


@console_router.get("/parcels/{number}")
def parcel(number: str = Path(..., min_length=1, max_length=32),
           session: Session = Depends(get_session)) -> dict[str, Any]:
    return context.parcel(session, number)


@console_router.get("/callbacks")
def callbacks(agent: Agent = Depends(current_agent), session: Session = Depends(get_session)) -> dict[str, Any]:
    return {"items": desk.callbacks(session, agent)}


@console_router.post("/callbacks/{callback_id}/done")
def callback_done(callback_id: int, agent: Agent = Depends(current_agent),
                  session: Session = Depends(get_session)) -> dict[str, Any]:
    return desk.close_callback(session, callback_id, agent)


@console_router.get("/kpi")
def kpi_report(days: int = Query(30, ge=1, le=366), session: Session = Depends(get_session)) -> dict[str, Any]:
    return kpi.report(session, days)


# --- for supervisors: the review loop (docs/review-loop.md) ------------------------------------------------
@console_router.get("/review")
def review_pending(days: int = Query(7, ge=1, le=90), agent: Agent = Depends(current_supervisor),
                   session: Session = Depends(get_session)) -> dict[str, Any]:
    return review.pending(session, days)


@console_router.post("/review/labels")
def review_labels(body: ReviewLabelsIn, agent: Agent = Depends(current_supervisor),
                  session: Session = Depends(get_session)) -> dict[str, Any]:
    return review.label(session, agent, [item.dict() for item in body.items])


@console_router.get("/review/export")
def review_download(agent: Agent = Depends(current_supervisor),
                    session: Session = Depends(get_session)) -> PlainTextResponse:
    return PlainTextResponse(review.export_yaml(session), media_type="application/x-yaml; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="reviewed.yml"', "Cache-Control": "private, no-store"})


@console_router.post("/review/export")
def review_export(agent: Agent = Depends(current_supervisor),
                  session: Session = Depends(get_session)) -> dict[str, Any]:
    return review.write_export(session)
