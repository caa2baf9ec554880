"""console login backoff: per account+address, address and account backoff rows, and agents' usual places

Revision ID: 0007_console_login_backoff
Revises: 0004_console_login_throttle
Create Date: 2026-12-06 08:00:00

Replaces the fixed-window lockout table (console_login_throttle): its counts only meant "locked for 15
minutes", which let anyone lock an agent out. Dropped rather than converted: failed-login counts are
short-lived and starting them afresh is harmless.
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007_console_login_backoff"
down_revision: Union[str, None] = "0004_console_login_throttle"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_table("console_login_throttle")
    op.create_table(
        "console_login_backoff",
        sa.Column("scope", sa.String(length=8), primary_key=True),
        sa.Column("subject", sa.String(length=300), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_console_login_backoff_last_failure_at", "console_login_backoff", ["last_failure_at"])
    op.create_table(
        "console_login_places",
        sa.Column("username", sa.String(length=64), primary_key=True),
        sa.Column("address", sa.String(length=128), primary_key=True),
        sa.Column("last_login_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_console_login_places_last_login_at", "console_login_places", ["last_login_at"])


def downgrade() -> None:
    op.drop_index("ix_console_login_places_last_login_at", table_name="console_login_places")
    op.drop_table("console_login_places")
    op.drop_index("ix_console_login_backoff_last_failure_at", table_name="console_login_backoff")
    op.drop_table("console_login_backoff")
    op.create_table(
        "console_login_throttle",
        sa.Column("scope", sa.String(length=8), primary_key=True),
        sa.Column("subject", sa.String(length=128), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
    )
