"""How much the Rasa server reads of one request: RASA_MAX_REQUEST_BYTES, refused unread beyond that.

Sanic's own default is 100 MB per HTTP body and 1 MB per websocket message. A chat message is bounded at
MAX_MESSAGE_CHARS anyway (bot/channels/inbound_guard.py), so the server only has to read enough of an
over-long one to answer it politely; anything larger is an attack and is refused with 413 before its body is
read. The limits are set by the channels themselves (every channel blueprint registers the listener), so they
hold however Rasa is started.

The refusal itself is Sanic's English error page unless the app answers it: `install_too_large_reply` (called
where bot/rasa_server.py builds Rasa's app) makes it a polite Chinese message in the REST channel's reply format,
still with status 413, so a chat client shows it like any answer.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import get_settings

# Sanic builds its connection settings (websocket size among them) before `before_server_start`: the main
# process's start is the last moment both limits are still read.
_EVENT = "main_process_start"


def max_request_bytes() -> int:
    return max(1024, get_settings().rasa_max_request_bytes)


def apply_limits(config: Any) -> None:
    """Lower the Sanic app config's HTTP body and websocket message limits to the setting."""
    limit = max_request_bytes()
    config.REQUEST_MAX_SIZE = limit
    config.WEBSOCKET_MAX_SIZE = limit


def bound_request_size(blueprint: Blueprint) -> Blueprint:
    """Make the app this blueprint is registered on apply the limits when it starts."""

    def limit_app(app: Any, _loop: Any) -> None:
        apply_limits(app.config)

    blueprint.listener(_EVENT)(limit_app)
    return blueprint


def too_large_reply() -> str:
    limit = max(1, get_settings().max_message_chars)
    return (f"抱歉，您发送的内容太大了，我们没能收到。请发送文字消息（一次最多 {limit} 个字），"
            "内容较多时可以分几条发给我，谢谢！")


async def answer_too_large(request: Request, exception: PayloadTooLarge) -> HTTPResponse:
    # The body was never read, so nothing of it (not even the sender) is known: one message, no recipient.
    return response.json([{"text": too_large_reply()}], status=413)


def install_too_large_reply(app: Sanic) -> None:
    """Answer a request over the size limit with `too_large_reply()` instead of Sanic's English error."""
    app.error_handler.add(PayloadTooLarge, answer_too_large)
