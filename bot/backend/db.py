"""Engine, sessions and migrations: one database URL from settings, SQLite file by default."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def database_url() -> str:
    url = get_settings().backend_database_url
    # Plain postgresql:// picks psycopg2, which is what is installed.
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # WAL lets readers run while a write commits; busy_timeout waits instead of failing on a lock.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # SQLAlchemy 1.4 gives file SQLite a NullPool (a new connection per request); a small pool of
        # long-lived connections saves the reconnect and pragma cost on every request.
        engine = create_engine(url, future=True, poolclass=QueuePool, pool_size=8, max_overflow=8,
                               connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=10, max_overflow=10)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(database_url())


@lru_cache(maxsize=1)
def _session_factory() -> sessionmaker:
    return sessionmaker(bind=get_engine(), future=True, expire_on_commit=False)


def new_session() -> Session:
    return _session_factory()()


async def get_session() -> AsyncIterator[Session]:
    """FastAPI dependency: one session per request, always closed.

    Async on purpose: opening a Session does no I/O, and a sync generator dependency would cost two thread-pool
    hops per request. The route functions that use it are sync and run in the pool as usual.
    """
    session = new_session()
    try:
        yield session
    finally:
        session.close()


# Any fixed number: the key of the PostgreSQL advisory lock that serialises migrations.
_MIGRATION_LOCK_KEY = 0x5A7C0DE1


def run_migrations(engine: Engine | None = None) -> None:
    engine = engine or get_engine()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several web processes (pods, workers) start at once on a new database: without the lock two of them
            # create the same tables and one crashes. The lock ends with the transaction; the next one finds
            # nothing left to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        # "heads": parts of the service (console, notices) add their own migration branches from 0001.
        command.upgrade(config, "heads")
