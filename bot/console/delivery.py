"""Agent messages into the customer's chat, through the Rasa channel the customer uses, and the hand-back.

Web chat: the socket.io channel's push route. WeChat: the WeChat channel's push route (customer-service API).
The REST channel has no way to reach a customer unasked, so nothing is pushed there (the message stays stored).
When an agent ends a session, Rasa runs the hand-back actions and the assistant takes over again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from bot.clients.rasa import PUSH_PATHS, RasaError, get_rasa

logger = logging.getLogger("bot.console")

RESUME_ACTIONS = ("action_handoff_ended", "rating_form", "action_listen")


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    elapsed_ms: int
    problem: str | None = None


def push_text(channel: str, conversation_id: str, text: str, author: dict[str, Any] | None = None) -> Delivery:
    if channel not in PUSH_PATHS:
        return Delivery(False, 0, f"channel {channel} cannot receive pushed messages")
    started = time.monotonic()
    try:
        get_rasa().push_message(channel, conversation_id, text, author)
    except RasaError as error:
        logger.warning("push to %s failed: %s", channel, error.reason)
        problem = f"the chat server answered HTTP {error.status}" if error.status else "the chat server is not reachable"
        return Delivery(False, _ms(started), problem)
    return Delivery(True, _ms(started))


def hand_back(conversation_id: str) -> Delivery:
    """The assistant resumes: it says so and starts the satisfaction survey, in the customer's latest channel.

    Rasa's execute API runs the actions as if the assistant had predicted them; the closing `action_listen`
    leaves the tracker waiting for the customer's answer, exactly as after a normal turn.
    """
    started = time.monotonic()
    for action in RESUME_ACTIONS:
        try:
            get_rasa().execute_action(conversation_id, action, output_channel="latest")
        except RasaError as error:
            logger.warning("hand-back to the assistant failed at %s: %s", action, error.reason)
            problem = f"the assistant answered HTTP {error.status}" if error.status else "the assistant is not reachable"
            return Delivery(False, _ms(started), problem)
    return Delivery(True, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
