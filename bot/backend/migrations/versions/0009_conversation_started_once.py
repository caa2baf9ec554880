"""conversation events: one `started` per conversation (a unique partial index)

Revision ID: 0009_conversation_started_once
Revises: 0005_verification_attempts
Create Date: 2026-12-07 04:00:00

The containment KPI counts conversations by their `started` event, which every web process records for a
conversation's first message (services/feedback.py mark_started). The index makes a second one impossible, even
from two processes at the same moment; duplicates an older database holds (the API took any number) are removed
first, the earliest kept. On the backend's branch.
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009_conversation_started_once"
down_revision: Union[str, None] = "0005_verification_attempts"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ONE_START = sa.text("type = 'started'")


def upgrade() -> None:
    op.execute(
        "DELETE FROM conversation_events WHERE type = 'started' AND id NOT IN "
        "(SELECT MIN(id) FROM conversation_events WHERE type = 'started' GROUP BY conversation_id)")
    op.create_index("uq_conversation_events_started", "conversation_events", ["conversation_id"], unique=True,
                    sqlite_where=ONE_START, postgresql_where=ONE_START)


def downgrade() -> None:
    op.drop_index("uq_conversation_events_started", table_name="conversation_events")
