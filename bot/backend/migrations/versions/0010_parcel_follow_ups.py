"""parcel follow-ups (催件) and the courier out delivering a parcel

Revision ID: 0010_parcel_follow_ups
Revises: 0009_conversation_started_once
Create Date: 2026-12-07 07:00:00

A customer's 催件 becomes a follow-up for the parcel's delivery outlet with a due time; one open follow-up per
parcel (a unique partial index), so a repeated 催件, even from two chats at the same moment, adds nothing. The
parcel gains the courier out delivering it, which the tracking card shows (masked until verified).
On the backend's branch.
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = "0010_parcel_follow_ups"
down_revision: Union[str, None] = "0009_conversation_started_once"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OPEN = sa.text("state = 'open'")


def upgrade() -> None:
    op.create_table(
        "parcel_follow_ups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tracking_number", sa.String(length=20), nullable=False),
        sa.Column("outlet", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
    )
    op.create_index("uq_parcel_follow_ups_open", "parcel_follow_ups", ["tracking_number"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    with op.batch_alter_table("parcels") as batch:
        batch.add_column(sa.Column("courier_name", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("courier_phone", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("parcels") as batch:
        batch.drop_column("courier_phone")
        batch.drop_column("courier_name")
    op.drop_index("uq_parcel_follow_ups_open", table_name="parcel_follow_ups")
    op.drop_table("parcel_follow_ups")
