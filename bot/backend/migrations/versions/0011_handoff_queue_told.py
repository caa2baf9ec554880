"""handoffs.queue_told_at: when a waiting customer was last told their place in the queue

Revision ID: 0011_handoff_queue_told
Revises: 0008_handoff_customer_typing
Create Date: 2026-12-07 07:00:00

Every web process looks for customers due an update (bot/console/queue_updates.py); the one whose conditional
update of this column succeeds sends it, so a customer is told once however many processes look. On the
console's branch.
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011_handoff_queue_told"
down_revision: Union[str, None] = "0008_handoff_customer_typing"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("queue_told_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("queue_told_at")
