"""The REST channel (`/webhooks/rest/webhook`) with replies in the customer's script."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import handoff_gate
from bot.channels.script_output import wrap_for_message

logger = logging.getLogger(__name__)


class ScriptAwareRestInput(RestInput):
    """Same request/response format as Rasa's REST channel; name stays "rest" so its URL is unchanged."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else None
            if body is None or not isinstance(body.get("message"), str) or body.get("sender") is None:
                return response.json({"error": "请求格式有误：需要 sender 和 message 字段。"}, status=400)
            sender_id = str(body["sender"])
            text = body["message"]
            if await handoff_gate.intercept(sender_id, text, self.name(), self.get_metadata(request)):
                return response.json([])
            collector = CollectingOutputChannel()
            output = await wrap_for_message(collector, sender_id, text)
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        output,
                        sender_id,
                        input_channel=self._extract_input_channel(request),
                        metadata=self.get_metadata(request),
                    )
                )
            except asyncio.CancelledError:
                logger.error("rest message timed out for sender %s", sender_id)
            except Exception:
                logger.exception("rest message failed for sender %s", sender_id)
            return response.json(collector.messages)

        return webhook
