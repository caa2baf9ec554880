"""The channels' gate to human agents: while a person owns (or is about to own) a conversation, the
customer's messages go to the agent console instead of the assistant.

Every input channel calls `intercept()` before handing a message to Rasa. The handoff state lives in the
backend (one database for every Rasa instance), so any instance answers the same way. If the backend cannot
be asked, the message goes to the assistant: a customer is never left without an answer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from bot.settings import get_settings

logger = logging.getLogger(__name__)

TIMEOUT_S = 2.0
MAX_TEXT_CHARS = 4000


async def intercept(sender_id: str, text: str, channel: str, metadata: dict[str, Any] | None = None,
                    backend: tuple[str, str] | None = None) -> bool:
    """True when the message was handed to a human agent and the assistant must stay silent.

    `backend` (URL, API key) defaults to the settings; tests point it at their own backend.
    """
    if not sender_id or not isinstance(text, str) or not text.strip():
        return False
    body = {"conversation_id": sender_id[:128], "text": text.strip()[:MAX_TEXT_CHARS], "channel": channel[:16]}
    base_url, api_key = backend or (get_settings().backend_base_url, get_settings().backend_api_key)
    url = f"{base_url}/api/v1/handoffs/inbound"
    try:
        # A client per message: localhost is cheap, and nothing outlives the event loop that made it.
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as http, \
                http.post(url, json=body, headers={"X-API-Key": api_key}) as reply:
            if reply.status != 200:
                logger.warning("handoff gate: backend answered HTTP %s; the assistant answers", reply.status)
                return False
            answer = await reply.json()
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        logger.warning("handoff gate: backend not reachable (%s); the assistant answers", type(error).__name__)
        return False
    return bool(answer.get("intercepted"))
