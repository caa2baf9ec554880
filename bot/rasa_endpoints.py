"""Rasa's endpoint configuration for the chosen profile.

`endpoints.yml` is the embedded default (in-memory tracker and lock stores, no broker). The production
profile is switched on by environment variables alone — TRACKER_STORE_URL (PostgreSQL), REDIS_URL (lock
store) and RABBITMQ_URL (event broker) — and rendered here into the file the Rasa server is started with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from bot.settings import ROOT, Settings, get_settings


def tracker_store_config(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    dialect = parts.scheme.split("+")[0]
    if dialect == "postgres":
        dialect = "postgresql"
    config: dict[str, Any] = {"type": "SQL", "dialect": dialect, "url": parts.hostname or "localhost",
                              "db": parts.path.lstrip("/") or "rasa"}
    if parts.port:
        config["port"] = parts.port
    if parts.username:
        config["username"] = unquote(parts.username)
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


def lock_store_config(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    config: dict[str, Any] = {"type": "redis", "url": parts.hostname or "localhost", "port": parts.port or 6379,
                              "db": int(parts.path.lstrip("/") or 0), "key_prefix": "courier"}
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


def event_broker_config(url: str, queue: str) -> dict[str, Any]:
    parts = urlsplit(url)
    return {"type": "pika", "url": parts.hostname or "localhost", "port": parts.port or 5672,
            "username": unquote(parts.username or "guest"), "password": unquote(parts.password or "guest"),
            "queues": [queue]}


def render_endpoints(action_url: str | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """The embedded endpoints.yml, overlaid with the production stores the environment asks for."""
    settings = settings or get_settings()
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
    if action_url:
        endpoints["action_endpoint"] = {"url": action_url}
    if settings.tracker_store_url:
        endpoints["tracker_store"] = tracker_store_config(settings.tracker_store_url)
    if settings.redis_url:
        endpoints["lock_store"] = lock_store_config(settings.redis_url)
    if settings.rabbitmq_url:
        endpoints["event_broker"] = event_broker_config(settings.rabbitmq_url, settings.rabbitmq_queue)
    return endpoints


def write_endpoints(path: Path, action_url: str | None = None, settings: Settings | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(render_endpoints(action_url, settings), allow_unicode=True), encoding="utf-8")
    return path
