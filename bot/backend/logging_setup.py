"""Logging for the backend process: uvicorn's format, with phone numbers masked on every handler."""

from __future__ import annotations

from typing import Any

from uvicorn.config import LOGGING_CONFIG


def log_config(level: str = "INFO") -> dict[str, Any]:
    config: dict[str, Any] = {**LOGGING_CONFIG}
    config["filters"] = {"mask_phones": {"()": "bot.backend.privacy.PhoneMaskFilter"}}
    config["handlers"] = {name: {**handler, "filters": ["mask_phones"]}
                          for name, handler in LOGGING_CONFIG["handlers"].items()}
    config["loggers"] = {**LOGGING_CONFIG["loggers"],
                         "bot": {"handlers": ["default"], "level": level, "propagate": False}}
    return config
