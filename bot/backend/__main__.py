"""`python -m bot.backend`: migrate, seed once if empty, serve on settings.backend_host:backend_port."""

from __future__ import annotations

import logging.config

import uvicorn

from bot.backend.db import run_migrations
from bot.backend.logging_setup import log_config
from bot.settings import get_settings


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
    uvicorn.run("bot.backend.app:app", host=settings.backend_host, port=settings.backend_port,
                log_config=log_config(), access_log=True)


if __name__ == "__main__":
    main()
