"""Confirmed writes the backend could not take now are kept in the action server's durable outbox (bot/outbox).

An action calls `keep` when a confirmed complaint, claim or rating met a backend that is down: True means the
item is safe on disk (or in PostgreSQL) and the background worker (actions/outbox_delivery.py) will file it with
the same idempotency key, so the customer may be told it will be filed automatically. False (outbox full,
payload too large, its database away) means no such promise: the action falls back to retrying on the
customer's next message. When that next-turn retry files the item first, `forget` removes it from the outbox.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.outbox import Outbox, OutboxRefused
from bot.process_wide import ProcessWide
from bot.settings import get_settings

logger = logging.getLogger(__name__)

def _outbox_from_settings() -> Outbox:
    settings = get_settings()
    return Outbox(settings.outbox_url, max_items=settings.outbox_max_items,
                  max_payload_bytes=settings.outbox_max_payload_bytes, lease_s=settings.outbox_lease_s,
                  retry_base_s=settings.outbox_retry_base_s, retry_max_s=settings.outbox_retry_max_s)


_instance: ProcessWide[Outbox] = ProcessWide(_outbox_from_settings)


def get_outbox() -> Outbox:
    """The process-wide outbox (created with its table on first use)."""
    return _instance.get()


def set_outbox(outbox: Outbox | None) -> None:
    """Replace the process-wide outbox (tests use their own database); None rebuilds it from the settings."""
    _instance.set(outbox)


def _keep(kind: str, key: str, conversation_id: str, payload: dict[str, Any]) -> bool:
    try:
        get_outbox().enqueue(kind, key, conversation_id, payload)
    except OutboxRefused as refusal:
        logger.warning("outbox refused a %s: %s", kind, refusal)
        return False
    except SQLAlchemyError as error:
        logger.error("outbox unavailable for a %s: %s", kind, type(error).__name__)
        return False
    return True


async def keep(kind: str, key: str, conversation_id: str, payload: dict[str, Any]) -> bool:
    """True once the write is durably queued for automatic delivery."""
    return await asyncio.to_thread(_keep, kind, key, conversation_id, payload)


def _forget(key: str) -> None:
    try:
        get_outbox().forget(key)
    except SQLAlchemyError as error:
        # The worker will send it once more and the backend replay it: harmless.
        logger.warning("outbox: could not drop a delivered item: %s", type(error).__name__)


async def forget(key: str) -> None:
    await asyncio.to_thread(_forget, key)
