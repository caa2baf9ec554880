"""Agent messages into the customer's chat, through the Rasa channel the customer uses, and the hand-back.

Web chat: the socket.io channel's push route. WeChat: the WeChat channel's push route (customer-service API).
The REST channel has no way to reach a customer unasked, so nothing is pushed there (the message stays stored).
When an agent ends a session, Rasa runs the hand-back actions and the assistant takes over again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import requests

from bot.settings import get_settings

logger = logging.getLogger("bot.console")

PUSH_PATHS = {"socketio": "/webhooks/socketio/push", "wechat": "/webhooks/wechat/push"}
RESUME_ACTIONS = ("action_handoff_ended", "rating_form", "action_listen")
TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    elapsed_ms: int
    problem: str | None = None


@lru_cache(maxsize=1)
def _http() -> requests.Session:
    session = requests.Session()
    session.headers["X-API-Key"] = get_settings().backend_api_key
    return session


def push_text(channel: str, conversation_id: str, text: str, author: dict[str, Any] | None = None) -> Delivery:
    path = PUSH_PATHS.get(channel)
    if path is None:
        return Delivery(False, 0, f"channel {channel} cannot receive pushed messages")
    body: dict[str, Any] = {"text": text, "author": author} if author else {"text": text}
    body["session_id" if channel == "socketio" else "sender_id"] = conversation_id
    started = time.monotonic()
    try:
        reply = _http().post(f"{get_settings().rasa_base_url}{path}", json=body, timeout=TIMEOUT_S)
    except requests.RequestException as error:
        logger.warning("push to %s failed: %s", channel, type(error).__name__)
        return Delivery(False, _ms(started), "the chat server is not reachable")
    if reply.status_code >= 400:
        logger.warning("push to %s refused: HTTP %s", channel, reply.status_code)
        return Delivery(False, _ms(started), f"the chat server answered HTTP {reply.status_code}")
    return Delivery(True, _ms(started))


def conversation_url(conversation_id: str) -> str:
    """Rasa's HTTP API URL of a conversation.

    ":" stays as it is: Rasa (Sanic) does not unquote "%3A", so WeChat's "wx:<openid>" would be another, empty
    conversation (the hand-back would then speak to nobody).
    """
    return f"{get_settings().rasa_base_url}/conversations/{quote(conversation_id, safe=':')}"


def hand_back(conversation_id: str) -> Delivery:
    """The assistant resumes: it says so and starts the satisfaction survey, in the customer's latest channel.

    Rasa's execute API runs the actions as if the assistant had predicted them; the closing `action_listen`
    leaves the tracker waiting for the customer's answer, exactly as after a normal turn.
    """
    url = f"{conversation_url(conversation_id)}/execute?output_channel=latest"
    started = time.monotonic()
    for action in RESUME_ACTIONS:
        try:
            reply = _http().post(url, json={"name": action}, timeout=30)
        except requests.RequestException as error:
            logger.warning("hand-back to the assistant failed at %s: %s", action, type(error).__name__)
            return Delivery(False, _ms(started), "the assistant is not reachable")
        if reply.status_code >= 400:
            logger.warning("hand-back refused at %s: HTTP %s", action, reply.status_code)
            return Delivery(False, _ms(started), f"the assistant answered HTTP {reply.status_code}")
    return Delivery(True, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
