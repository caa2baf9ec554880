"""The web process, assembled in one place: the backend API, the agent console and the web chat page.

Each part is added through its own public surface (bot/backend/public.py, bot/console/public.py,
bot/web_app/chat_page.py); this package is the only code that knows all of them (docs/architecture.md).
"""

from bot.web_app.assemble import create_app

__all__ = ["create_app"]
