"""The channels' gate to human agents: while a person owns (or is about to own) a conversation, the
customer's messages go to the agent console instead of the assistant.

Every input channel calls `intercept()` before handing a message to Rasa. The handoff state lives in the
backend (one database for every Rasa instance), so any instance answers the same way. If the backend cannot
be asked, the message goes to the assistant: a customer is never left without an answer.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.clients.backend import BackendClient, BackendUnavailable, get_client

logger = logging.getLogger(__name__)


async def intercept(sender_id: str, text: str, channel: str, metadata: dict[str, Any] | None = None,
                    backend: tuple[str, str] | None = None) -> bool:
    """True when the message was handed to a human agent and the assistant must stay silent.

    `backend` (URL, API key) defaults to the settings; tests point it at their own backend.
    """
    if not sender_id or not isinstance(text, str) or not text.strip():
        return False
    client = BackendClient(*backend) if backend else get_client()
    try:
        return await client.route_inbound(sender_id, text, channel)
    except BackendUnavailable as error:
        logger.warning("handoff gate: backend not reachable (%s); the assistant answers", error.message)
        return False
