"""Alembic environment: always handed a live connection by bot.backend.db.run_migrations."""

from __future__ import annotations

from alembic import context

from bot.backend.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    from bot.backend.db import get_engine

    connection = get_engine().connect()

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
