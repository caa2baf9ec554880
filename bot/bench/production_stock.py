"""The stock `rasa init` assistant on this machine's production stores, for the production row of
bot/bench/versus_stock.py: Rasa's own SQL tracker store on a PostgreSQL database of its own and its Redis lock
store, as a stock project would configure them in endpoints.yml.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from bot.cluster.__main__ import find_haproxy
from bot.cluster.child import POSTGRES_SERVER
from bot.cluster.environment import THIS_MACHINE, StoreUnreachable, check_stores
from bot.settings import get_settings
from bot.stack import StackError


def stores_missing() -> str:
    """Why the production row cannot run here, or "" when the stores and HAProxy are all there."""
    try:
        check_stores(THIS_MACHINE)
        find_haproxy(get_settings().haproxy_bin)
    except (StoreUnreachable, StackError) as missing:
        return str(missing)
    return ""


def _admin_execute(statement: str) -> None:
    import psycopg2

    admin = psycopg2.connect(f"{POSTGRES_SERVER}/postgres")
    admin.autocommit = True
    try:
        admin.cursor().execute(statement)
    finally:
        admin.close()


@contextmanager
def production_stock_endpoints() -> Iterator[Path]:
    """An endpoints.yml for the stock assistant on a fresh PostgreSQL database and Redis; dropped afterwards."""
    database = f"bench_stock_{uuid.uuid4().hex[:8]}"
    postgres, redis = urlsplit(POSTGRES_SERVER), urlsplit(THIS_MACHINE["REDIS_URL"])
    endpoints = {
        # Rasa's SQL tracker store names the host `url` (a `host` key collides with its own).
        "tracker_store": {"type": "SQL", "dialect": "postgresql", "url": postgres.hostname,
                          "port": postgres.port or 5432, "username": postgres.username or "postgres",
                          "db": database},
        "lock_store": {"type": "redis", "url": redis.hostname, "port": redis.port or 6379, "db": 0,
                       "key_prefix": database},
    }
    _admin_execute(f'CREATE DATABASE "{database}"')
    try:
        with tempfile.TemporaryDirectory(prefix="bench-stock-endpoints-") as folder:
            path = Path(folder) / "endpoints.yml"
            path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
            yield path
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
