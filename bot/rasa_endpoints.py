"""Rasa's endpoint configuration for the chosen profile.

`endpoints.yml` is the embedded default (in-memory lock store, no broker) plus a SQLite tracker store in the Rasa
process's var dir (bot/tracker_store.py), so conversations survive a restart. The production profile is switched on by environment variables alone — TRACKER_STORE_URL (PostgreSQL), REDIS_URL (lock
store) and RABBITMQ_URL (event broker) — and rendered here into the file the Rasa server is started with.

The file names those variables (`url: ${TRACKER_STORE_URL}`), never their values: Rasa expands `${…}` when it
reads the file, in its own process, which receives the same environment (bot/stack.py). So no password is
written to disk, and each URL reaches its store whole — `?sslmode=…` and other libpq options, `rediss://` and
the Redis ACL username, `amqps://`, the RabbitMQ virtual host and its options — instead of being cut into
Rasa's host/port/username/password keys, which dropped everything else. The file is still readable by its
owner only (0600): it says where the stores are.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.event_broker import amqp_url
from bot.private_files import write_private
from bot.settings import ROOT, Settings, get_settings

# No path: each Rasa process opens conversations.db in its own COURIER_VAR_DIR (bot/tracker_store.py).
EMBEDDED_TRACKER_STORE: dict[str, Any] = {"type": "bot.tracker_store.AppendOnlySQLTrackerStore", "dialect": "sqlite"}

TRACKER_STORE_VARIABLE = "TRACKER_STORE_URL"
REDIS_VARIABLE = "REDIS_URL"
RABBITMQ_VARIABLE = "RABBITMQ_URL"
REDIS_SCHEMES = ("redis", "rediss", "unix")


class StoreUrlError(ValueError):
    """A store URL that cannot be right; the message names the variable, never its value."""


def reference(variable: str) -> str:
    """How the endpoints file names an environment variable: Rasa puts its value there when it reads the file."""
    return "${" + variable + "}"


def resolved(config: dict[str, Any], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A store's config as Rasa reads it from the file, each `${NAME}` replaced by that variable's value.

    For code that builds a store in its own process from these configs (tests, benchmarks).
    """
    environ = os.environ if environ is None else environ

    def value(item: Any) -> Any:
        if isinstance(item, str) and item.startswith("${") and item.endswith("}"):
            return environ[item[2:-1]]
        return item

    return {key: value(item) for key, item in config.items()}


def tracker_store_config(url: str) -> dict[str, Any]:
    dialect = urlsplit(url).scheme.split("+")[0]
    if not dialect:
        raise StoreUrlError(f"{TRACKER_STORE_VARIABLE} must be a database URL, e.g. postgresql://user@host:5432/rasa")
    # The dialect tells the store whether to apply its SQLite settings; the URL itself stays in the environment.
    # Rasa's SQL store drops a turn's events when another turn saved in between (bot/tracker_store.py).
    return {"type": "bot.tracker_store.AppendOnlySQLTrackerStore",
            "dialect": "postgresql" if dialect == "postgres" else dialect, "url": reference(TRACKER_STORE_VARIABLE)}


def lock_store_config(url: str) -> dict[str, Any]:
    if urlsplit(url).scheme not in REDIS_SCHEMES:
        raise StoreUrlError(f"{REDIS_VARIABLE} must start with redis://, rediss:// (TLS) or unix://")
    # Rasa's own RedisLockStore lets two instances run turns of one conversation at once (docs/scaling.md).
    return {"type": "bot.lock_store.CourierRedisLockStore", "url": reference(REDIS_VARIABLE), "key_prefix": "courier"}


def event_broker_config(url: str, queue: str) -> dict[str, Any]:
    try:
        amqp_url(url)
    except ValueError as error:
        raise StoreUrlError(str(error)) from None
    return {"type": "bot.event_broker.UrlPikaEventBroker", "url": reference(RABBITMQ_VARIABLE), "queues": [queue]}


def render_endpoints(action_url: str | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """The embedded endpoints.yml, overlaid with the production stores the environment asks for."""
    settings = settings or get_settings()
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
    if action_url:
        endpoints["action_endpoint"] = {"url": action_url}
    if settings.tracker_store_url:
        endpoints["tracker_store"] = tracker_store_config(settings.tracker_store_url)
    else:
        endpoints["tracker_store"] = dict(EMBEDDED_TRACKER_STORE)
    if settings.redis_url:
        endpoints["lock_store"] = lock_store_config(settings.redis_url)
    if settings.rabbitmq_url:
        endpoints["event_broker"] = event_broker_config(settings.rabbitmq_url, settings.rabbitmq_queue)
    return endpoints


def write_endpoints(path: Path, action_url: str | None = None, settings: Settings | None = None) -> Path:
    """Write the endpoints file (mode 0600, replaced in one step so a starting Rasa never reads half of it)."""
    return write_private(path, yaml.safe_dump(render_endpoints(action_url, settings), allow_unicode=True))
