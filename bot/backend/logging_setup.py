"""Logging for the backend process: uvicorn's format, with personal data masked on every handler."""

from __future__ import annotations

from typing import Any

from uvicorn.config import LOGGING_CONFIG

from bot.log_masking import install as install_log_masking


def log_config(level: str = "INFO") -> dict[str, Any]:
    """uvicorn's logging config with the masking filter on each handler and a root logger for libraries.

    Building it also installs the process-wide masking (bot/log_masking.py), so a handler a library adds after
    uvicorn applied this config (or logging's last-resort handler) masks too.
    """
    install_log_masking()
    config: dict[str, Any] = {**LOGGING_CONFIG}
    config["filters"] = {"mask_pii": {"()": "bot.pii.PiiMaskFilter"}}
    config["handlers"] = {name: {**handler, "filters": ["mask_pii"]}
                          for name, handler in LOGGING_CONFIG["handlers"].items()}
    config["loggers"] = {**LOGGING_CONFIG["loggers"],
                         "bot": {"handlers": ["default"], "level": level, "propagate": False}}
    # SQLAlchemy, requests and the rest log through root; without a handler their warnings would reach stderr
    # through logging.lastResort, unformatted.
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config
