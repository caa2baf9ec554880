"""A PostgreSQL database named in a URL exists before a service starts using it.

The backend (DATABASE_URL), Rasa's tracker store (TRACKER_STORE_URL) and the outbox (OUTBOX_DATABASE_URL) each
name a database. When it is missing, PostgreSQL answers every connection with an error that says only that, and
Rasa's SQL store goes on without its tables, so every turn fails later. Here, before the service starts: if the
database is missing and the URL's role may create databases, it is created (same host, port, role and URL
options, through the `postgres` maintenance database); otherwise the service stops with a message naming the
command that creates it. Any other connection error (server down, wrong password, `sslmode=require` on a server
without TLS) is raised as PostgreSQL reported it. SQLite and other dialects need nothing here.
"""

from __future__ import annotations

import logging
import shlex

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

logger = logging.getLogger(__name__)

MAINTENANCE_DATABASE = "postgres"
# PostgreSQL's codes for "it exists already" (another process created it first) when creating a database.
_ALREADY_THERE = {"42P04", "23505"}


class DatabaseMissing(RuntimeError):
    """The database does not exist and could not be created; the message says how to create it."""


def postgres_url(url: str) -> str:
    """`postgres://` (Heroku style, also accepted by Rasa) is `postgresql://` to SQLAlchemy."""
    return "postgresql://" + url.removeprefix("postgres://") if url.startswith("postgres://") else url


def ensure_database(url: str, variable: str) -> bool:
    """Make sure the PostgreSQL database of `url` exists; True if it was created now.

    `variable` names the setting the URL came from, for the message. Raises DatabaseMissing when it is missing
    and cannot be created, and the connection error itself when the server cannot be reached at all.
    """
    target = make_url(postgres_url(url))
    if target.get_backend_name() != "postgresql" or not target.database:
        return False
    try:
        _connect_once(target)
        return False
    except OperationalError as unreachable:
        if _exists(target, unreachable):
            raise
    return _create(target, variable)


def create_command(target: URL) -> str:
    """The shell command an administrator (here `postgres`) runs to create the database for the URL's role."""
    words = ["createdb"]
    if target.host:
        words += ["-h", target.host]
    if target.port:
        words += ["-p", str(target.port)]
    words += ["-U", "postgres"]
    if target.username:
        words += ["-O", target.username]
    return " ".join(shlex.quote(word) for word in [*words, str(target.database)])


def _connect_once(target: URL) -> None:
    engine = create_engine(target, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    finally:
        engine.dispose()


def _exists(target: URL, unreachable: OperationalError) -> bool:
    """Whether the database exists, asked through the maintenance database; the original error if it can't be."""
    engine = create_engine(target.set(database=MAINTENANCE_DATABASE), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": target.database}).first()
    except OperationalError:
        # The server itself is unreachable or refuses this role: that, not a missing database, is the problem.
        raise unreachable from None
    finally:
        engine.dispose()
    return found is not None


def _create(target: URL, variable: str) -> bool:
    engine = create_engine(target.set(database=MAINTENANCE_DATABASE), poolclass=NullPool,
                           isolation_level="AUTOCOMMIT")
    quoted = '"' + str(target.database).replace('"', '""') + '"'
    try:
        with engine.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {quoted}"))
    except DBAPIError as error:
        if getattr(error.orig, "pgcode", None) in _ALREADY_THERE:
            return False
        owner = f' OWNER "{target.username}"' if target.username else ""
        reason = str(getattr(error.orig, "pgerror", None) or error.orig).strip().splitlines()[0]
        raise DatabaseMissing(
            f'The PostgreSQL database "{target.database}" named by {variable} does not exist, and role '
            f'"{target.username}" may not create it ({reason}). Create it as a role that may, e.g.\n'
            f"    {create_command(target)}\n"
            f"(or in psql: CREATE DATABASE {quoted}{owner};) and start again.") from None
    finally:
        engine.dispose()
    logger.warning('Created the PostgreSQL database "%s" named by %s (it did not exist).', target.database, variable)
    return True
