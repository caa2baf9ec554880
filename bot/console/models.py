"""Tables of the agent console: teams, agents, login sessions and backoff, handoffs, messages, callback requests,
and the review loop's per-message analytics (docs/review-loop.md).

They share the backend's metadata (one database, one Alembic history); times are naive UTC like the rest.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, String, Text

from bot.backend.public import Base


class Team(Base):
    __tablename__ = "console_teams"
    code = Column(String(16), primary_key=True)
    name = Column(String(32), nullable=False)


class Agent(Base):
    __tablename__ = "console_agents"
    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(64), nullable=False)
    team_code = Column(String(16), ForeignKey("console_teams.code"), nullable=False)
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False)
    # "agent" or "supervisor": only a supervisor opens the review page (labels what the assistant misread).
    role = Column(String(12), nullable=False, default="agent", server_default="agent")


class AgentSession(Base):
    """A login: only the SHA-256 of the cookie's token is stored, so a database leak opens no session."""

    __tablename__ = "console_sessions"
    token_hash = Column(String(64), primary_key=True)
    agent_id = Column(Integer, ForeignKey("console_agents.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)


class Handoff(Base):
    """One conversation handed to a person: waiting → active → ended (or cancelled)."""

    __tablename__ = "handoffs"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False)
    channel = Column(String(16), nullable=False)
    reason = Column(String(32), nullable=False)
    team_code = Column(String(16), ForeignKey("console_teams.code"), nullable=False)
    is_vip = Column(Boolean, nullable=False, default=False)
    account_manager = Column(String(64))
    customer_phone = Column(String(20))
    intent = Column(String(64))
    slots_json = Column(Text, nullable=False, default="{}")
    transcript_json = Column(Text, nullable=False, default="[]")
    status = Column(String(12), nullable=False)
    agent_id = Column(Integer, ForeignKey("console_agents.id"))
    created_at = Column(DateTime, nullable=False)
    accepted_at = Column(DateTime)
    ended_at = Column(DateTime)
    # The web chat's last "customer is typing" signal while an agent owns the chat (bot/console/typing.py).
    customer_typing_at = Column(DateTime)
    # When the waiting customer was last told their place in the queue (bot/console/queue_updates.py).
    queue_told_at = Column(DateTime)
    __table_args__ = (
        Index("ix_handoffs_conversation_status", "conversation_id", "status"),
        Index("ix_handoffs_team_status", "team_code", "status", "created_at"),
    )


class HandoffMessage(Base):
    """A message during the handoff: from the customer (forwarded by the channel gate) or an agent."""

    __tablename__ = "handoff_messages"
    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    author = Column(String(12), nullable=False)
    agent_id = Column(Integer, ForeignKey("console_agents.id"))
    text = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)
    delivered = Column(Boolean)
    delivery_ms = Column(Integer)


class CallbackRequest(Base):
    """Outside the agents' hours: the customer agreed to be called back on this number after `call_after`."""

    __tablename__ = "callback_requests"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(16))
    phone = Column(String(20), nullable=False)
    reason = Column(String(32), nullable=False)
    team_code = Column(String(16), ForeignKey("console_teams.code"), nullable=False)
    is_vip = Column(Boolean, nullable=False, default=False)
    call_after = Column(DateTime, nullable=False)
    status = Column(String(12), nullable=False, default="open")
    created_at = Column(DateTime, nullable=False)


class LoginBackoff(Base):
    """Recent failed console logins of one key, shared by every backend worker.

    scope "pair" (account + client address), "address" or "account"; `blocked_until` is when the next attempt
    on that key may be tried. An attempt counts before its password is checked (and is taken back when it was
    right), so parallel guesses cannot slip past the backoff.
    """

    __tablename__ = "console_login_backoff"
    scope = Column(String(8), primary_key=True)
    subject = Column(String(300), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    last_failure_at = Column(DateTime, nullable=False, index=True)
    blocked_until = Column(DateTime)


class KnownLoginPlace(Base):
    """An address an agent logged in from (their usual place): another address's guesses do not slow it."""

    __tablename__ = "console_login_places"
    username = Column(String(64), primary_key=True)
    address = Column(String(128), primary_key=True)
    last_login_at = Column(DateTime, nullable=False, index=True)


class MessageRecord(Base):
    """One customer message as the assistant understood it, read from Rasa's events (bot/console/analytics.py).

    `event_key` (conversation + Rasa's message id) is unique, so an event read twice is stored once. The text is
    kept masked (phones, addresses); the review fields hold a supervisor's confirmed or corrected reading.
    """

    __tablename__ = "message_analytics"
    id = Column(Integer, primary_key=True)
    event_key = Column(String(200), nullable=False, unique=True)
    conversation_id = Column(String(128), nullable=False)
    channel = Column(String(32))
    at = Column(DateTime, nullable=False, index=True)
    text = Column(Text, nullable=False)
    intent = Column(String(64))
    confidence = Column(Float)
    entities_json = Column(Text, nullable=False, default="[]")
    fell_back = Column(Boolean, nullable=False, default=False)
    handed_off = Column(Boolean, nullable=False, default=False)
    outcome = Column(String(32))
    reviewed_intent = Column(String(64))
    reviewed_entities_json = Column(Text)
    reviewed_by = Column(Integer, ForeignKey("console_agents.id", ondelete="SET NULL"))
    reviewed_at = Column(DateTime)
    __table_args__ = (Index("ix_message_analytics_conversation_at", "conversation_id", "at"),)


class AnalyticsCursor(Base):
    """How far the analytics consumer has read a source (the tracker store's last event id)."""

    __tablename__ = "message_analytics_cursor"
    source = Column(String(32), primary_key=True)
    position = Column(Integer, nullable=False, default=0)
    updated_at = Column(DateTime, nullable=False)
