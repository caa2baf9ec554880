"""What the outbox worker does with each kind of kept write: file it with the backend, same idempotency key.

Runs in the action server process (bot/action_server.py starts it). A complaint, claim or rating the backend
answers is delivered — also when the first try had in fact landed: the backend replays that first answer for
the key instead of filing a second ticket. A claim's photos follow the claim, each with its own key.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from actions.claim_photos import upload_photo
from actions.deferred_writes import get_outbox
from bot.clients.backend import BackendError, InvalidInput, get_client
from bot.outbox import Delivered, Item, Outcome, Refused, RetryLater, Worker
from bot.settings import get_settings

logger = logging.getLogger(__name__)


def _complaint(payload: dict[str, Any], key: str) -> None:
    get_client().create_complaint(payload["body"], idempotency=key)


def _claim(payload: dict[str, Any], key: str) -> None:
    claim = get_client().create_claim(payload["body"], idempotency=key)
    for url in payload.get("evidence_urls") or []:
        upload_photo(claim["number"], url)  # a photo that cannot be fetched is reported on the next turn


def _rating(payload: dict[str, Any], key: str) -> None:
    get_client().create_rating(payload["body"], idempotency=key)


SENDERS: dict[str, Callable[[dict[str, Any], str], None]] = {
    "complaint": _complaint, "claim": _claim, "rating": _rating,
}


def deliver(item: Item) -> Outcome:
    send = SENDERS.get(item.kind)
    if send is None:
        return Refused(f"unknown kind {item.kind}")
    try:
        send(item.payload, item.key)
    except InvalidInput as refusal:
        return Refused(refusal.code)
    except BackendError as error:
        return RetryLater(error.code)
    return Delivered()


def start_worker() -> None:
    """Deliver kept writes in the background for as long as this process lives."""
    threading.Thread(target=_run_when_ready, name="outbox-start", daemon=True).start()


def _run_when_ready() -> None:
    while True:
        try:
            outbox = get_outbox()
            break
        except SQLAlchemyError as error:
            logger.error("outbox database unavailable (%s); trying again in 5 s", type(error).__name__)
            time.sleep(5)
    waiting = outbox.waiting()
    if waiting:
        logger.info("outbox: %d kept writes waiting for delivery", waiting)
    Worker(outbox, deliver, poll_s=get_settings().outbox_poll_s).start()
