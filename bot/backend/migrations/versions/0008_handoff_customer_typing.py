"""handoffs.customer_typing_at: when the customer last typed in a chat an agent owns

Revision ID: 0008_handoff_customer_typing
Revises: 0007_console_login_backoff
Create Date: 2026-12-07 04:00:00

The console's event stream shows "顾客正在输入…" from it; a column, not a process's memory, so a stream in any
web process sees a signal another process received.
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008_handoff_customer_typing"
down_revision: Union[str, None] = "0007_console_login_backoff"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("customer_typing_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("customer_typing_at")
