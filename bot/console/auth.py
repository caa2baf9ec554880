"""Agent logins: session cookie (HttpOnly, SameSite=Lax) backed by a server-side session row.

Every console page and API route depends on `current_agent`; without a valid session an API call gets 401
and a page request is redirected to the login page. The review page and its routes also need the supervisor
role (`current_supervisor`, `page_supervisor`): 403 for an agent.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Optional

from fastapi import Cookie, Depends, Request, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.backend.public import ApiError, get_session, utcnow
from bot.console.models import Agent, AgentSession
from bot.console.passwords import verify_password
from bot.settings import get_settings

COOKIE = "courier_console"
COOKIE_PATH = "/console"
SUPERVISOR = "supervisor"
ROLES = ("agent", SUPERVISOR)


class LoginRequired(Exception):
    """A console page was asked for without a session: the app answers with a redirect to the login page."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(session: Session, username: str, password: str) -> Agent | None:
    agent = session.execute(select(Agent).where(Agent.username == username.strip())).scalar_one_or_none()
    if agent is None or not agent.active:
        # Same work as a real check, so response time does not tell which usernames exist.
        verify_password(password, "scrypt$16384$8$1$00$00")
        return None
    return agent if verify_password(password, agent.password_hash) else None


def open_session(session: Session, agent: Agent, response: Response) -> None:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    hours = get_settings().console_session_hours
    session.add(AgentSession(token_hash=_digest(token), agent_id=agent.id, created_at=now,
                             expires_at=now + timedelta(hours=hours)))
    session.execute(delete(AgentSession).where(AgentSession.expires_at < now))
    session.commit()
    response.set_cookie(COOKIE, token, max_age=hours * 3600, path=COOKIE_PATH, httponly=True, samesite="lax",
                        secure=get_settings().console_secure_cookie)


def close_session(session: Session, token: str | None, response: Response) -> None:
    if token:
        session.execute(delete(AgentSession).where(AgentSession.token_hash == _digest(token)))
        session.commit()
    response.delete_cookie(COOKIE, path=COOKIE_PATH)


def agent_for_token(session: Session, token: str | None) -> Agent | None:
    if not token or len(token) > 200:
        return None
    row = session.get(AgentSession, _digest(token))
    if row is None or row.expires_at < utcnow():
        return None
    agent = session.get(Agent, row.agent_id)
    return agent if agent is not None and agent.active else None


def current_agent(session: Session = Depends(get_session),
                  token: Optional[str] = Cookie(None, alias=COOKIE)) -> Agent:
    agent = agent_for_token(session, token)
    if agent is None:
        raise ApiError(401, "login_required", "请先登录客服工作台。")
    return agent


def page_agent(request: Request, session: Session = Depends(get_session)) -> Agent:
    agent = agent_for_token(session, request.cookies.get(COOKIE))
    if agent is None:
        raise LoginRequired()
    return agent


def current_supervisor(agent: Agent = Depends(current_agent)) -> Agent:
    if agent.role != SUPERVISOR:
        raise ApiError(403, "supervisors_only", "复核页面仅限主管使用，请联系您的主管。")
    return agent


def page_supervisor(agent: Agent = Depends(page_agent)) -> Agent:
    return current_supervisor(agent)
