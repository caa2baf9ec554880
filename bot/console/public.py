"""What other parts may use of the agent console; nothing outside bot/console imports deeper.

- for the assembler (bot/web_app): `install` adds the console's routes, pages and origin guard to the web
  application; `seed_demo_agent` creates the demo login when the process seeds its demo data;
- for data retention (bot/retention), which purges and erases personal data in every part's tables: the
  console's tables that hold it (handoffs, their messages, callback requests).
"""

from __future__ import annotations

from bot.console.agents import seed_demo_agent
from bot.console.models import CallbackRequest, Handoff, HandoffMessage
from bot.console.pages import install

__all__ = ["CallbackRequest", "Handoff", "HandoffMessage", "install", "seed_demo_agent"]
