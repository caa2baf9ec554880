"""`python -m bot.web_app` (also started as `python -m bot.backend`): migrate the database, seed the demo data
and the demo agent once, serve the assembled application on settings.backend_host:backend_port."""

from __future__ import annotations

import argparse
import logging.config
import os
import sys
from typing import Any

import uvicorn

from bot.backend.public import log_config, run_migrations, seed_if_empty
from bot.console.public import seed_demo_agent
from bot.database_setup import DatabaseMissing, ensure_database
from bot.production_check import WEB_PROCESS_HELD, DemoSecretsRefused, refuse_demo_secrets
from bot.settings import Settings, get_settings


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for the web process.

    uvicorn trusts X-Forwarded-For from 127.0.0.1 unless told otherwise, which would let anyone on this host
    name a fresh client address per console login guess. So proxy headers are read only when
    TRUST_FORWARDED_HEADERS says a reverse proxy sets them; which peers may then forward stays uvicorn's own
    FORWARDED_ALLOW_IPS (default 127.0.0.1), read by uvicorn when forwarded_allow_ips is left out.
    """
    return {"host": settings.backend_host, "port": settings.backend_port, "log_config": log_config(),
            "access_log": True, "proxy_headers": settings.trust_forwarded_headers}


def seed() -> None:
    log = logging.getLogger("bot.backend")
    log.info("demo data %s", "seeded" if seed_if_empty() else "already present")
    seed_demo_agent()


def main(argv: list[str] | None = None) -> None:
    # No options: the settings come from the environment (README); --help says so instead of starting a server.
    argparse.ArgumentParser(prog="python -m bot.web_app", description=__doc__.replace("\n", " "),
                            epilog="Settings come from environment variables: see the README.").parse_args(argv)
    try:
        # Before anything touches the database: a production backend with a public secret must not serve.
        refuse_demo_secrets(os.environ, held=WEB_PROCESS_HELD)
    except DemoSecretsRefused as refusal:
        sys.exit(f"The backend did not start. {refusal}")
    settings = get_settings()
    logging.config.dictConfig(log_config())
    try:
        ensure_database(settings.backend_database_url, "DATABASE_URL")
    except DatabaseMissing as missing:
        sys.exit(f"The backend did not start. {missing}")
    run_migrations()
    if settings.backend_seed_on_start:
        seed()
    uvicorn.run("bot.web_app:create_app", factory=True, **server_options(settings))


if __name__ == "__main__":
    main()
