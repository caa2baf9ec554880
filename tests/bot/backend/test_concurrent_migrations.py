"""Several web processes starting together on a new PostgreSQL database migrate it once, none crashes."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import inspect, text

from bot.backend.db import make_engine, run_migrations
from tests.bot.backend.conftest import _create_pg_database, _drop_pg_database, require_postgres

pytestmark = pytest.mark.postgres


@pytest.fixture()
def new_database() -> str:
    require_postgres()
    name, url = _create_pg_database()
    yield url
    _drop_pg_database(name)


def test_four_processes_migrating_at_once_all_succeed(new_database: str) -> None:
    engines = [make_engine(new_database) for _ in range(4)]
    start = threading.Barrier(len(engines))
    errors: list[BaseException] = []

    def migrate(engine) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        try:
            run_migrations(engine)
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=migrate, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with engines[0].connect() as connection:
        versions = connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one()
        assert versions >= 1
        assert "complaints" in inspect(connection).get_table_names()
    for engine in engines:
        engine.dispose()
