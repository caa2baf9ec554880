"""verification attempts: wrong identity proofs per parcel and per phone, across chats and workers

Revision ID: 0005_verification_attempts
Revises: 0002_parcel_notices
Create Date: 2026-12-06 07:40:00

A branch of its own from the backend's notices revision (the console's 0003/0004 are another branch):
run_migrations upgrades all heads.
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005_verification_attempts"
down_revision: Union[str, None] = "0002_parcel_notices"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "verification_attempts",
        sa.Column("scope", sa.String(length=8), primary_key=True),
        sa.Column("subject", sa.String(length=64), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("verification_attempts")
