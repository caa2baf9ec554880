"""the review loop: agents' role (supervisor), per-message analytics and the consumer's cursor

Revision ID: 0012_console_review_loop
Revises: 0011_handoff_queue_told
Create Date: 2026-12-07 08:00:00

The analytics consumer (bot/console/analytics.py) keeps one row per customer message, unique by conversation and
Rasa's message id, so an event read twice (two web processes, a redelivered broker message) is stored once; the
cursor remembers how far the tracker store was read. A supervisor (role) reviews and exports what the assistant
misread. On the console's branch.
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = "0012_console_review_loop"
down_revision: Union[str, None] = "0011_handoff_queue_told"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("console_agents") as batch:
        batch.add_column(sa.Column("role", sa.String(length=12), nullable=False, server_default="agent"))
    op.create_table(
        "message_analytics",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_key", sa.String(length=200), nullable=False, unique=True),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32)),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=64)),
        sa.Column("confidence", sa.Float()),
        sa.Column("entities_json", sa.Text(), nullable=False),
        sa.Column("fell_back", sa.Boolean(), nullable=False),
        sa.Column("handed_off", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=32)),
        sa.Column("reviewed_intent", sa.String(length=64)),
        sa.Column("reviewed_entities_json", sa.Text()),
        sa.Column("reviewed_by", sa.Integer(), sa.ForeignKey("console_agents.id", ondelete="SET NULL")),
        sa.Column("reviewed_at", sa.DateTime()),
    )
    op.create_index("ix_message_analytics_at", "message_analytics", ["at"])
    op.create_index("ix_message_analytics_conversation_at", "message_analytics", ["conversation_id", "at"])
    op.create_table(
        "message_analytics_cursor",
        sa.Column("source", sa.String(length=32), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("message_analytics_cursor")
    op.drop_index("ix_message_analytics_conversation_at", table_name="message_analytics")
    op.drop_index("ix_message_analytics_at", table_name="message_analytics")
    op.drop_table("message_analytics")
    with op.batch_alter_table("console_agents") as batch:
        batch.drop_column("role")
