"""The backend's periodic purge: one daemon thread per backend process, a pass at start and then every
RETENTION_PURGE_INTERVAL_S. Several processes may purge at once: every step is idempotent."""

from __future__ import annotations

import logging

from bot.periodic import PeriodicThread
from bot.retention.run import purge
from bot.settings import get_settings

log = logging.getLogger("bot.retention")


class RetentionPurger(PeriodicThread):
    name = "retention-purge"
    join_s = 30.0

    def __init__(self, interval_s: float | None = None) -> None:
        super().__init__()
        self._interval = interval_s if interval_s is not None else get_settings().retention_purge_interval_s

    @staticmethod
    def wanted() -> bool:
        settings = get_settings()
        return settings.retention_days > 0 and settings.retention_purge_interval_s > 0

    def interval_s(self) -> float:
        return self._interval

    def run_pass(self) -> None:
        report = purge()
        if report.total:
            log.info("retention purge: %s", "; ".join(line.strip() for line in report.lines()))
