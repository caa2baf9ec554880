"""A durable outbox for writes the assistant promised to make later (issue 14).

When the backend cannot take a confirmed complaint, claim or rating, the action server keeps it here — a
SQLite file in the var dir (embedded default) or a PostgreSQL table (production profile) — and a background
worker (`worker.py`) delivers it with backoff, with the idempotency key of the first try, so a write that did
land is replayed by the backend, never doubled. What each kind of item means is the actions' business
(actions/outbox_delivery.py); this package only keeps, claims and reschedules rows.
"""

from bot.outbox.store import Item, Outbox, OutboxFull, OutboxRefused, PayloadTooLarge
from bot.outbox.worker import Delivered, Outcome, Refused, RetryLater, Worker

__all__ = ["Delivered", "Item", "Outbox", "OutboxFull", "OutboxRefused", "Outcome", "PayloadTooLarge", "Refused",
           "RetryLater", "Worker"]
