"""Client of Rasa's HTTP API and the channels' push routes, for the agent console and the backend's notifier.

Rasa's API authenticates with `?token=` (RASA_API_TOKEN, checked by bot/rasa_api_guard.py); the push routes
with `X-API-Key` (bot/channels/push_request.py). Nothing is retried here: a push or an action run twice reaches
the customer twice, and the one read (the tracker, for the console) falls back to the stored transcript. That
also keeps the token out of the logs: urllib3 logs the URL, query included, of every request it retries.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import requests

from bot.clients.http import pooled_session
from bot.process_wide import ProcessWide
from bot.settings import get_settings

logger = logging.getLogger(__name__)

# The channels that can reach a customer unasked, and their push routes (the REST channel cannot).
PUSH_PATHS = {"socketio": "/webhooks/socketio/push", "wechat": "/webhooks/wechat/push"}


class RasaError(Exception):
    """Rasa could not be reached (`status` None) or refused the call (`status` is its HTTP status)."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class RasaClient:
    def __init__(self, base_url: str | None = None, api_token: str | None = None, api_key: str | None = None,
                 timeout_s: float | None = None, action_timeout_s: float | None = None) -> None:
        settings = get_settings()
        self.base_url = (base_url or settings.rasa_base_url).rstrip("/")
        self.api_token = settings.rasa_api_token if api_token is None else api_token
        self.timeout_s = timeout_s if timeout_s is not None else settings.rasa_timeout_s
        self.action_timeout_s = action_timeout_s if action_timeout_s is not None else settings.rasa_action_timeout_s
        self._http = pooled_session(0, {"X-API-Key": api_key or settings.backend_api_key}, pool_size=8)

    def push_message(self, channel: str, conversation_id: str, text: str,
                     author: dict[str, Any] | None = None) -> None:
        """An agent's message into the customer's chat; `channel` must be one of PUSH_PATHS."""
        body: dict[str, Any] = {"text": text, "author": author} if author else {"text": text}
        body["session_id" if channel == "socketio" else "sender_id"] = conversation_id
        self._call("POST", f"{self.base_url}{PUSH_PATHS[channel]}", self.timeout_s, json=body)

    def execute_action(self, conversation_id: str, action: str, output_channel: str = "latest") -> None:
        """Run `action` as if the assistant had predicted it (the console's hand-back)."""
        self._call("POST", f"{self._conversation(conversation_id)}/execute", self.action_timeout_s,
                   json={"name": action}, params={"output_channel": output_channel, **self._token()})

    def trigger_intent(self, conversation_id: str, intent: str, entities: dict[str, Any], output_channel: str) -> None:
        """Rasa runs the conversation's own action for `intent` and answers on `output_channel` (parcel notices)."""
        self._call("POST", f"{self._conversation(conversation_id)}/trigger_intent", self.action_timeout_s,
                   json={"name": intent, "entities": entities},
                   params={"output_channel": output_channel, **self._token()})

    def tracker_events(self, conversation_id: str) -> list[dict[str, Any]]:
        reply = self._call("GET", f"{self._conversation(conversation_id)}/tracker", self.timeout_s,
                           params=self._token())
        try:
            events = reply.json().get("events") or []
        except (ValueError, AttributeError) as error:
            raise RasaError(type(error).__name__, reply.status_code) from error
        return events if isinstance(events, list) else []

    def _conversation(self, conversation_id: str) -> str:
        # ":" stays as it is: Rasa (Sanic) does not unquote "%3A", so WeChat's "wx:<openid>" would be another,
        # empty conversation.
        return f"{self.base_url}/conversations/{quote(conversation_id, safe=':')}"

    def _token(self) -> dict[str, str]:
        # Rasa reads the token from `?token=`: never log a URL built with it.
        return {"token": self.api_token} if self.api_token else {}

    def _call(self, method: str, url: str, timeout_s: float, **kwargs: Any) -> requests.Response:
        try:
            reply = self._http.request(method, url, timeout=(min(1.0, timeout_s), timeout_s), **kwargs)
        except requests.RequestException as error:
            raise RasaError(type(error).__name__) from error
        if reply.status_code >= 300:
            raise RasaError(f"HTTP {reply.status_code}", reply.status_code)
        return reply


_instance: ProcessWide[RasaClient] = ProcessWide(RasaClient)


def get_rasa() -> RasaClient:
    """The process-wide client (one connection pool per process)."""
    return _instance.get()


def set_rasa(client: RasaClient | None) -> None:
    """Replace the process-wide client (tests point it at their own server); None rebuilds from settings."""
    _instance.set(client)
