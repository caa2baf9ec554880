"""`python -m bot.backend`: migrate, seed once if empty, serve on settings.backend_host:backend_port."""

from __future__ import annotations

import logging.config
from typing import Any

import uvicorn

from bot.backend.db import run_migrations
from bot.backend.logging_setup import log_config
from bot.settings import Settings, get_settings


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for the backend.

    uvicorn trusts X-Forwarded-For from 127.0.0.1 unless told otherwise, which would let anyone on this host
    name a fresh client address per console login guess. So proxy headers are read only when
    TRUST_FORWARDED_HEADERS says a reverse proxy sets them; which peers may then forward stays uvicorn's own
    FORWARDED_ALLOW_IPS (default 127.0.0.1), read by uvicorn when forwarded_allow_ips is left out.
    """
    return {"host": settings.backend_host, "port": settings.backend_port, "log_config": log_config(),
            "access_log": True, "proxy_headers": settings.trust_forwarded_headers}


def main() -> None:
    settings = get_settings()
    logging.config.dictConfig(log_config())
    log = logging.getLogger("bot.backend")
    run_migrations()
    if settings.backend_seed_on_start:
        from bot.backend.seed import seed_if_empty

        seeded = seed_if_empty()
        log.info("demo data %s", "seeded" if seeded else "already present")
        from bot.console.agents import seed_demo_agent

        seed_demo_agent()
    uvicorn.run("bot.backend.app:app", **server_options(settings))


if __name__ == "__main__":
    main()
