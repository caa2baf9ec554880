"""agent console and human handoff: teams, agents, sessions, handoffs, messages, callbacks

Revision ID: 0003_console
Revises: 0002_parcel_notices
Create Date: 2026-11-23 05:50:00

"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003_console"
down_revision: Union[str, None] = "0002_parcel_notices"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The call centre's teams (DOMAIN.md); handoffs are routed to them by reason.
TEAMS = [
    {"code": "general", "name": "在线客服"},
    {"code": "complaints", "name": "投诉处理"},
    {"code": "claims", "name": "理赔"},
    {"code": "vip", "name": "VIP 客服"},
]


def upgrade() -> None:
    teams = op.create_table(
        "console_teams",
        sa.Column("code", sa.String(length=16), primary_key=True),
        sa.Column("name", sa.String(length=32), nullable=False),
    )
    op.bulk_insert(teams, TEAMS)
    op.create_table(
        "console_agents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("team_code", sa.String(length=16), sa.ForeignKey("console_teams.code"), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("console_agents.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_console_sessions_agent_id", "console_sessions", ["agent_id"])
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("team_code", sa.String(length=16), sa.ForeignKey("console_teams.code"), nullable=False),
        sa.Column("is_vip", sa.Boolean(), nullable=False),
        sa.Column("account_manager", sa.String(length=64)),
        sa.Column("customer_phone", sa.String(length=20)),
        sa.Column("intent", sa.String(length=64)),
        sa.Column("slots_json", sa.Text(), nullable=False),
        sa.Column("transcript_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("console_agents.id")),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime()),
        sa.Column("ended_at", sa.DateTime()),
    )
    op.create_index("ix_handoffs_conversation_status", "handoffs", ["conversation_id", "status"])
    op.create_index("ix_handoffs_team_status", "handoffs", ["team_code", "status", "created_at"])
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("handoff_id", sa.Integer(), sa.ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author", sa.String(length=12), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("console_agents.id")),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered", sa.Boolean()),
        sa.Column("delivery_ms", sa.Integer()),
    )
    op.create_index("ix_handoff_messages_handoff_id", "handoff_messages", ["handoff_id"])
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=16)),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("team_code", sa.String(length=16), sa.ForeignKey("console_teams.code"), nullable=False),
        sa.Column("is_vip", sa.Boolean(), nullable=False),
        sa.Column("call_after", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_callback_requests_conversation_id", "callback_requests", ["conversation_id"])


def downgrade() -> None:
    op.drop_table("callback_requests")
    op.drop_table("handoff_messages")
    op.drop_table("handoffs")
    op.drop_table("console_sessions")
    op.drop_table("console_agents")
    op.drop_table("console_teams")
