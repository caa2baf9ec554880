"""console login throttle: failed logins per account and per client address

Revision ID: 0004_console_login_throttle
Revises: 0003_console
Create Date: 2026-11-23 08:50:00

"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004_console_login_throttle"
down_revision: Union[str, None] = "0003_console"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "console_login_throttle",
        sa.Column("scope", sa.String(length=8), primary_key=True),
        sa.Column("subject", sa.String(length=128), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("console_login_throttle")
