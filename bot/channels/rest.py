"""The REST channel (`/webhooks/rest/webhook`) with replies in the customer's script.

Every message passes the inbound guard first (bot/channels/inbound_guard.py): a malformed request gets a 400
with a clear message, an empty or over-long message a polite answer, and only clean, bounded text reaches
the assistant.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import handoff_gate
from bot.channels.http_limits import bound_request_size
from bot.channels.inbound_guard import ERROR_REPLY, Inbound, check_message, client_metadata, sender_problem
from bot.channels.script_output import ScriptAwareOutput, wrap_for_message

logger = logging.getLogger(__name__)


def bad_request(message: str) -> HTTPResponse:
    return response.json({"error": message}, status=400)


def read_body(request: Request) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON object sent, or why the request cannot be a message (for a 400)."""
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return None, "body must be JSON: {\"sender\": \"…\", \"message\": \"…\"}"
    if not isinstance(body, dict):
        return None, "body must be a JSON object with sender and message"
    problem = sender_problem(body.get("sender"))
    if problem:
        return None, problem
    if not isinstance(body.get("message"), str):
        return None, "message must be a string"
    return body, None


class ScriptAwareRestInput(RestInput):
    """Same request/response format as Rasa's REST channel; name stays "rest" so its URL is unchanged."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = bound_request_size(Blueprint(f"custom_webhook_{type(self).__name__}", __name__))

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body, problem = read_body(request)
            if body is None:
                return bad_request(problem or "bad request")
            return await self.receive(str(body["sender"]), body, on_new_message)

        return webhook

    async def receive(
        self,
        sender_id: str,
        body: dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> HTTPResponse:
        inbound = check_message(body["message"])
        collector = CollectingOutputChannel()
        output = await wrap_for_message(collector, sender_id, inbound.script_sample)
        if not inbound.ok:
            await output.send_text_message(sender_id, inbound.reply or ERROR_REPLY)
            return response.json(collector.messages)
        metadata = client_metadata(body.get("metadata"))
        routed = await handoff_gate.route(sender_id, inbound.text, self.name(), metadata)
        if routed is None:
            return response.json([])
        await self.ask_assistant(sender_id, replace(inbound, text=routed), output, metadata, on_new_message)
        return response.json(collector.messages)

    async def ask_assistant(
        self,
        sender_id: str,
        inbound: Inbound,
        output: ScriptAwareOutput,
        metadata: dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        # The channel name is ours to set: a client-chosen `input_channel` would route notices elsewhere.
        message = UserMessage(inbound.text, output, sender_id, input_channel=self.name(), metadata=metadata)
        try:
            await on_new_message(message)
        except asyncio.CancelledError:
            logger.error("rest message timed out for sender %s", sender_id)
        except Exception:  # the customer gets an apology, the log gets the details
            logger.exception("rest message failed for sender %s", sender_id)
            await output.send_text_message(sender_id, ERROR_REPLY)
