"""The production profile the cluster runs in: the stores it uses and the secrets its processes share.

Each store is the usual variable (DATABASE_URL, TRACKER_STORE_URL, REDIS_URL, RABBITMQ_URL; docs/scaling.md).
Unset, the cluster uses this machine's servers with their stock settings (THIS_MACHINE below), which must be
running: the cluster checks each one answers before it starts anything, and says which is missing. The databases
are created on first start when the role may (bot/database_setup.py).

The production profile refuses demo secrets (bot/production_check.py). The ones not set in the environment are
made once, at random, into var/cluster/secrets.env (mode 0600) and read from there at the next start, so signed
photo links and the console's `agent` password outlive a restart of the cluster.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from bot.production_check import SECRETS

# The stores of one machine with the packages' stock settings (PostgreSQL's `postgres` role over TCP, Redis'
# database 0, RabbitMQ's guest account on /): what `apt-get install postgresql redis-server rabbitmq-server` gives.
THIS_MACHINE = {
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/courier",
    "TRACKER_STORE_URL": "postgresql://postgres@127.0.0.1:5432/courier_rasa",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:5672/",
}
DEFAULT_PORTS = {"postgresql": 5432, "postgres": 5432, "redis": 6379, "rediss": 6379, "amqp": 5672, "amqps": 5671}
STORE_NAMES = {"DATABASE_URL": "PostgreSQL (web database)", "TRACKER_STORE_URL": "PostgreSQL (conversations)",
               "REDIS_URL": "Redis", "RABBITMQ_URL": "RabbitMQ"}
HOW_TO_START = {"DATABASE_URL": "service postgresql start", "TRACKER_STORE_URL": "service postgresql start",
                "REDIS_URL": "service redis-server start", "RABBITMQ_URL": "service rabbitmq-server start"}


class StoreUnreachable(RuntimeError):
    """A production store does not answer; the message names it, its variable and how to start it."""


def store_urls(env: Mapping[str, str]) -> dict[str, str]:
    """Each store's URL: the environment's, else this machine's."""
    return {name: env.get(name, "").strip() or default for name, default in THIS_MACHINE.items()}


def cluster_environment(env: Mapping[str, str], public_url: str) -> dict[str, str]:
    """The variables the cluster's processes run with beyond `env` (secrets apart): the stores, the public address
    (the balancer's, unless PUBLIC_BASE_URL names the one in front of it) and the forwarded client address."""
    public = env.get("PUBLIC_BASE_URL", "").strip() or public_url
    return {
        **store_urls(env),
        "PUBLIC_BASE_URL": public,
        # The chat page's socket.io goes to the same public entry, which sends /socket.io/ to Rasa.
        "CHAT_RASA_URL": env.get("CHAT_RASA_URL", "").strip() or public,
        # The balancer overwrites X-Forwarded-For and connects from 127.0.0.1, uvicorn's default trusted peer.
        "TRUST_FORWARDED_HEADERS": "1",
    }


def check_stores(urls: Mapping[str, str], timeout: float = 2.0) -> None:
    """Raise StoreUnreachable listing every store whose host and port take no connection."""
    missing = []
    for name, url in urls.items():
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or DEFAULT_PORTS.get(parts.scheme.split("+")[0])
        if port is None or not _answers(host, port, timeout):
            hint = f" (start it: `{HOW_TO_START[name]}`)" if url == THIS_MACHINE[name] else ""
            missing.append(f"  {STORE_NAMES[name]} at {host}:{port}, {name}{hint}")
    if missing:
        raise StoreUnreachable("These production stores do not answer:\n" + "\n".join(missing))


def cluster_secrets(env: Mapping[str, str], path: Path) -> dict[str, str]:
    """The secrets not set in the environment, from `path`, made and written there (0600) the first time."""
    kept = _read_env_file(path)
    chosen = {}
    for secret in SECRETS:
        if env.get(secret.variable, "").strip():
            continue  # the operator's own value; production_check judges it
        chosen[secret.variable] = kept.get(secret.variable) or secrets.token_hex(32)
    if any(kept.get(name) != value for name, value in chosen.items()):
        _write_env_file(path, {**kept, **chosen})
    return chosen


def _answers(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _read_env_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines()
             if "=" in line and not line.lstrip().startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def _write_env_file(path: Path, values: Mapping[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Secrets of `make cluster` made at random on its first start (bot/cluster/environment.py)."]
    lines += [f"{name}={value}" for name, value in sorted(values.items())]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
