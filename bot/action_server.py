"""The action server with personal data masked in its logs, same arguments as `python -m rasa run actions`:

    python -m bot.action_server run actions --actions actions --port 5055

rasa_sdk logs each request's sender, slots and backend calls through Python logging, and Sanic sets up its own
loggers when the app is created: bot/log_masking.py covers them all, so it is installed before anything else.

It listens on ACTION_HOST (default loopback): the action server runs actions and reads whole trackers for
anyone who reaches it. rasa_sdk has no interface option; it binds SANIC_HOST (its own default 0.0.0.0).

It also runs the outbox worker (actions/outbox_delivery.py): confirmed writes the backend could not take are
filed from here once it is back, also after a restart of this process (they wait in the outbox database).
"""

from __future__ import annotations

import logging
import os
import sys

from sqlalchemy.exc import OperationalError

from bot.database_setup import DatabaseMissing, ensure_database
from bot.log_masking import install as install_log_masking
from bot.settings import get_settings


def _outbox_database() -> None:
    """The outbox's PostgreSQL database exists (created if the role may); if not, the actions run without it."""
    settings = get_settings()
    variable = "OUTBOX_DATABASE_URL" if settings.outbox_database_url else "TRACKER_STORE_URL"
    try:
        ensure_database(settings.outbox_url, variable)
    except (DatabaseMissing, OperationalError) as error:
        # Not fatal: a write the backend cannot take is then not promised for later (actions/deferred_writes.py).
        logging.getLogger(__name__).error("The outbox database is not usable: %s", error)


def _only_asks_for_help(argv: list[str]) -> bool:
    return any(arg in ("-h", "--help") for arg in argv)


def main() -> None:
    install_log_masking()
    if _only_asks_for_help(sys.argv[1:]):
        # Rasa prints the usage; no outbox database is created and no worker started just for that.
        from rasa.__main__ import main as rasa_main

        sys.argv[0] = "rasa"
        rasa_main()
        return
    os.environ["SANIC_HOST"] = get_settings().action_host
    _outbox_database()
    from actions.outbox_delivery import start_worker

    start_worker()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
