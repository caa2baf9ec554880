"""The channels' gate to human agents: while a person owns (or is about to own) a conversation, the
customer's messages go to the agent console instead of the assistant.

Every input channel calls `route()` before handing a message to Rasa. The handoff state lives in the
backend (one database for every Rasa instance), so any instance answers the same way. If the backend cannot
be asked, the message goes to the assistant: a customer is never left without an answer.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.clients.backend import BackendClient, BackendUnavailable, get_client

logger = logging.getLogger(__name__)

# "还要等多久" while queued is a question about the queue: the assistant's handoff request answers it with the
# place and the wait (an open request is never opened twice), whatever the NLU would make of the words.
QUEUE_WAIT_PAYLOAD = "/request_human"


async def route(sender_id: str, text: str, channel: str, metadata: dict[str, Any] | None = None,
                backend: tuple[str, str] | None = None) -> str | None:
    """The text the assistant should read, or None when a human agent has the message and the assistant must
    stay silent.

    `backend` (URL, API key) defaults to the settings; tests point it at their own backend.
    """
    if not sender_id or not isinstance(text, str) or not text.strip():
        return text
    client = BackendClient(*backend) if backend else get_client()
    try:
        answer = await client.route_inbound(sender_id, text, channel)
    except BackendUnavailable as error:
        logger.warning("handoff gate: backend not reachable (%s); the assistant answers", error.message)
        return text
    if answer.intercepted:
        return None
    return QUEUE_WAIT_PAYLOAD if answer.asks_wait else text
