"""Agent accounts: create one (CLI and demo seed), list teams."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.public import new_session, utcnow
from bot.console.auth import ROLES
from bot.console.models import Agent, Team
from bot.console.passwords import hash_password
from bot.settings import get_settings

DEMO_USERNAME = "agent"


class AgentError(ValueError):
    pass


def team_codes(session: Session) -> list[str]:
    return list(session.execute(select(Team.code).order_by(Team.code)).scalars())


def create_agent(session: Session, username: str, password: str, team: str, display_name: str | None = None,
                 replace_password: bool = False, role: str = "agent") -> Agent:
    username = username.strip()
    if role not in ROLES:
        raise AgentError(f"没有这个角色：{role}（可选：{', '.join(ROLES)}）。")
    if not username or len(username) > 64:
        raise AgentError("用户名不能为空，最长 64 个字符。")
    if len(password) < 8:
        raise AgentError("密码至少 8 位。")
    if team not in team_codes(session):
        raise AgentError(f"没有这个团队：{team}（可选：{', '.join(team_codes(session))}）。")
    existing = session.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none()
    if existing is not None:
        if not replace_password:
            raise AgentError(f"用户名 {username} 已存在。")
        existing.password_hash = hash_password(password)
        existing.team_code = team
        existing.role = role
        session.commit()
        return existing
    agent = Agent(username=username, display_name=display_name or username, team_code=team,
                  password_hash=hash_password(password), active=True, created_at=utcnow(), role=role)
    session.add(agent)
    session.commit()
    return agent


def ensure_demo_agent(session: Session, password: str) -> bool:
    """The demo login `make run` prints (team general); True when it was created now."""
    if session.execute(select(Agent.id).where(Agent.username == DEMO_USERNAME)).first():
        return False
    create_agent(session, DEMO_USERNAME, password, "general", display_name="小王")
    return True


def seed_demo_agent() -> None:
    """Called by the web process's start-up seeding (bot/web_app): the demo login exists once it serves."""
    with new_session() as session:
        ensure_demo_agent(session, get_settings().console_demo_password)
