"""The backend's periodic purge: one daemon thread per backend process, a pass at start and then every
RETENTION_PURGE_INTERVAL_S. Several processes may purge at once: every step is idempotent."""

from __future__ import annotations

import logging
import threading

from bot.retention.run import purge
from bot.settings import get_settings

log = logging.getLogger("bot.retention")


class RetentionPurger:
    def __init__(self, interval_s: float | None = None) -> None:
        self._interval = interval_s if interval_s is not None else get_settings().retention_purge_interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="retention-purge", daemon=True)

    @staticmethod
    def wanted() -> bool:
        settings = get_settings()
        return settings.retention_days > 0 and settings.retention_purge_interval_s > 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                report = purge()
                if report.total:
                    log.info("retention purge: %s", "; ".join(line.strip() for line in report.lines()))
            except Exception:  # a database hiccup must not end the thread; the next pass catches up
                log.exception("retention purge failed")
            self._stop.wait(self._interval)
