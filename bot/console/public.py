"""What other parts may use of the agent console; nothing outside bot/console imports deeper.

- for the assembler (bot/web_app): `install` adds the console's routes, pages and origin guard to the web
  application; `console_workers` are its background threads (queue updates to waiting customers);
  `seed_demo_agent` creates the demo login when the process seeds its demo data;
- for data retention (bot/retention), which purges and erases personal data in every part's tables: the
  console's tables that hold it (handoffs, their messages, callback requests, the per-message analytics).
"""

from __future__ import annotations

from bot.console.agents import seed_demo_agent
from bot.console.analytics import AnalyticsConsumer
from bot.console.models import CallbackRequest, Handoff, HandoffMessage, MessageRecord
from bot.console.pages import install
from bot.console.queue_updates import QueueUpdates


def console_workers() -> list[QueueUpdates | AnalyticsConsumer]:
    """The console's background work for this process: telling waiting customers their place, and reading Rasa's
    events into the per-message analytics (the review page, the KPI), each when enabled."""
    workers: list[QueueUpdates | AnalyticsConsumer] = [QueueUpdates()] if QueueUpdates.wanted() else []
    return workers + ([AnalyticsConsumer()] if AnalyticsConsumer.wanted() else [])


__all__ = ["CallbackRequest", "Handoff", "HandoffMessage", "MessageRecord", "console_workers", "install",
           "seed_demo_agent"]
