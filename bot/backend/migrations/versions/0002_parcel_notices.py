"""parcel notices: subscriptions of chats to parcels and the outbox of notices to push

Revision ID: 0002_parcel_notices
Revises: 0001
Create Date: 2026-11-23 05:45:13

Independent of the console's migration (a separate branch from 0001): run_migrations upgrades all heads.
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002_parcel_notices"
down_revision: Union[str, None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "parcel_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracking_number", sa.String(length=20), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tracking_number", "conversation_id", name="uq_subscription_parcel_chat"),
    )
    op.create_index("ix_parcel_subscriptions_tracking_number", "parcel_subscriptions", ["tracking_number"])
    op.create_table(
        "parcel_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("tracking_number", sa.String(length=20), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("city", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("event_time", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["subscription_id"], ["parcel_subscriptions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_parcel_notices_state_next", "parcel_notices", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_parcel_notices_state_next", table_name="parcel_notices")
    op.drop_table("parcel_notices")
    op.drop_index("ix_parcel_subscriptions_tracking_number", table_name="parcel_subscriptions")
    op.drop_table("parcel_subscriptions")
