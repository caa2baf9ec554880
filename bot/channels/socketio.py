"""The web chat channel: Rasa's socket.io channel, fixed so replies reach the page, plus a push route.

Why not the stock `rasa.core.channels.socketio.SocketIOInput`: with `session_persistence: true` it calls
`sio.enter_room()` without awaiting it. Since python-socketio 5.10 that method is a coroutine, so the socket
never joins its session room and every reply (emitted to that room) is lost (RasaHQ/rasa#13027).

What this channel adds:
- rooms joined for real (awaited when the installed python-socketio makes it a coroutine), and re-joined
  when a message names a session the socket is not yet in, so a reconnect with the same session id keeps
  the conversation and its replies;
- sessions bound to the browser they were given to: `session_confirm` (the id) comes after `session_token`
  (the id and its token, bot/chat_session_token.py), and a session is resumed, by `session_request` or by a
  message naming it, only with that token; an id alone (seen by agents, in logs, guessed) gets a fresh session, never the room;
- message metadata: the channel name and the script the customer wrote in (for replies in that script);
  a tapped button or chip counts in the script of the title the customer saw, not of its payload (payloads are
  written in Simplified: "確認提交" sends "确认", and a Traditional customer must stay Traditional);
- a `conversation_state` event to the page after each customer message: the script its own texts should use,
  and whether a person (not the assistant) has the message, so the page shows no "typing" dots for it;
- `POST /webhooks/socketio/push` (header `X-API-Key`): other processes (agent console, parcel notices) put a
  message into a customer's chat; with REDIS_URL set, rooms are shared by every Rasa instance;
- the inbound guard (bot.channels.inbound_guard): clean, bounded text only; an empty or over-long message
  gets a polite answer; socket.io packets are bounded at RASA_MAX_REQUEST_BYTES (bot.channels.http_limits);
- replies in the customer's script (bot.channels.script_output) and the handoff gate: while a person owns
  the conversation, the customer's messages go to the agent, not to the assistant;
- `make_output_channel()`: the single place output channels are built, so a subclass can wrap them.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot.channels import handoff_gate
from bot.channels.http_limits import bound_request_size, max_request_bytes
from bot.channels.inbound_guard import (
    ERROR_REPLY,
    SCRIPT_SAMPLE_CHARS,
    Inbound,
    check_message,
    client_metadata,
)
from bot.channels.push_request import clean_push_text, read_push_request, recipient_problem
from bot.channels.script_output import ReplyScript, remember_script, wrap_output
from bot.chat_session_token import SESSION_ID_PATTERN, session_token, token_matches
from bot.settings import get_settings
from bot.text_hygiene import remove_unsafe
from bot.vocabulary.script import detect_script

logger = logging.getLogger(__name__)

# Session ids are chosen by the page (uuid4 hex); anything else is replaced, so a room name is never
# attacker-shaped. Sender ids pushed from other processes may also be socket ids (no persistence).
MAX_PUSH_CHARS = 4000
# Metadata the page adds to a tapped button or chip: the title it showed (in the customer's script).
TAPPED_KEY = "tapped"
STATE_EVENT = "conversation_state"
# Sent to the socket just before `session_confirm`: the session id and the token that resumes it.
TOKEN_EVENT = "session_token"


async def join_room(sio: AsyncServer, sid: str, room: str, namespace: str | None = None) -> None:
    """Enter a room whether `enter_room` is a coroutine (python-socketio ≥ 5.10) or not (older)."""
    result = sio.enter_room(sid, room, namespace=namespace)
    if inspect.isawaitable(result):
        await result


def valid_session_id(value: Any) -> str | None:
    return value if isinstance(value, str) and SESSION_ID_PATTERN.match(value) else None


class WebChatOutput(SocketIOOutput):
    """Emits to the customer's room in the channel's namespace; `author` marks agent or notice messages."""

    def __init__(self, sio: AsyncServer, bot_message_evt: str, namespace: str | None = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.namespace = namespace

    @classmethod
    def name(cls) -> str:
        return "socketio"

    async def _send_message(self, socket_id: str, response: Any, author: dict[str, Any] | None = None) -> None:
        if author and isinstance(response, dict):
            response = {**response, "author": author}
        await self.sio.emit(self.bot_message_evt, response, room=socket_id, namespace=self.namespace)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            await self._send_message(recipient_id, {"text": part}, kwargs.get("author"))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        parts = text.strip().split("\n\n") or [text]
        for part in parts[:-1]:
            await self._send_message(recipient_id, {"text": part}, kwargs.get("author"))
        quick_replies = [
            {"content_type": "text", "title": button["title"], "payload": button["payload"]} for button in buttons
        ]
        await self._send_message(
            recipient_id, {"text": parts[-1], "quick_replies": quick_replies}, kwargs.get("author")
        )

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        # The stock channel spreads the JSON into emit()'s keyword arguments, which breaks on any key that
        # is not an emit() parameter; the page receives it as one `custom` message instead.
        await self._send_message(recipient_id, {"custom": json_message}, kwargs.get("author"))


class SocketIOInput(RasaSocketIOInput):
    """Registered in credentials.yml as `bot.channels.socketio.SocketIOInput`."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def make_output_channel(self, metadata: dict[str, Any] | None = None) -> OutputChannel:
        """Build the channel replies go through: every message is converted to the recipient's script.

        Override to wrap it further. `metadata` is the customer message's metadata (`script`…) when there is
        one, else what the pusher sent.
        """
        assert self.sio is not None, "the blueprint creates the socket.io server"
        return wrap_output(WebChatOutput(self.sio, self.bot_message_evt, self.namespace))

    def get_output_channel(self) -> OutputChannel | None:
        # Used by Rasa's trigger-intent API (proactive notices) with output_channel=socketio.
        return self.make_output_channel() if self.sio is not None else None

    def create_server(self) -> AsyncServer:
        # Rooms live in Redis in the production profile, so an emit from any Rasa instance (or a push
        # handled by another instance) reaches the socket wherever it is connected.
        redis_url = get_settings().redis_url
        manager = AsyncRedisManager(redis_url, channel="courier-webchat") if redis_url else None
        # engine.io refuses a handshake from any other Origin (a websocket is not covered by the browser's CORS)
        # and answers CORS for its own path; Rasa's CORS leaves that path alone (bot/rasa_api_guard.py).
        return AsyncServer(async_mode="sanic", cors_allowed_origins=get_settings().cors_origin_list,
                           client_manager=manager)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = self.create_server()
        # A packet larger than this closes the socket before it is buffered (engine.io's own default: 1 MB).
        sio.eio.max_http_buffer_size = max_request_bytes()
        self.sio = sio
        blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        bound_request_size(blueprint)
        namespace = self.namespace

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/push", methods=["POST"])
        async def push(request: Request) -> HTTPResponse:
            return await self.handle_push(request)

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            return self.authorised(auth)

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: str, *args: Any) -> None:
            logger.debug("socket %s left the web chat", sid)

        # Extra event arguments are ignored: a handler that cannot take them raises, and the customer hears nothing.
        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None, *_extra: Any) -> None:
            await self.start_session(sid, data)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None, *_extra: Any) -> None:
            await self.receive(sid, data, on_new_message)

        return blueprint

    def authorised(self, auth: dict | None) -> bool:
        if not self.jwt_key:
            return True
        token = auth.get("token") if isinstance(auth, dict) else None
        return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

    async def start_session(self, sid: str, data: Any) -> None:
        session_id = resumable_session(data) or uuid.uuid4().hex
        if self.session_persistence:
            await join_room(self.sio, sid, session_id, self.namespace)
        await self.sio.save_session(sid, {"session_id": session_id}, namespace=self.namespace)
        # The token first, in its own event: `session_confirm` stays the bare id every client expects.
        credentials = {"session_id": session_id, "session_token": session_token(session_id)}
        await self.sio.emit(TOKEN_EVENT, credentials, room=sid, namespace=self.namespace)
        await self.sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

    async def sender_for(self, sid: str, data: dict[str, Any]) -> str:
        """The conversation a message belongs to: the socket's confirmed session (or another the message proves
        with its token), else the socket."""
        if not self.session_persistence:
            return sid
        saved = (await self.sio.get_session(sid, namespace=self.namespace)).get("session_id")
        session_id = resumable_session(data) or saved
        if not session_id:
            return sid
        if session_id != saved:
            await self.sio.save_session(sid, {"session_id": session_id}, namespace=self.namespace)
        if session_id not in self.sio.rooms(sid, namespace=self.namespace):
            # A message raced ahead of session_request, or the page switched sessions: join before the
            # reply is emitted so it is not lost.
            await join_room(self.sio, sid, session_id, self.namespace)
        return session_id

    async def receive(
        self, sid: str, data: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        data = data if isinstance(data, dict) else {}
        inbound = check_message(data.get("message"))
        sender_id = await self.sender_for(sid, data)
        client = client_metadata(data.get(self.metadata_key))
        sample = script_sample(inbound, client)
        metadata = {**client, "channel": self.name(), "script": detect_script(sample)}
        # So every reply to this customer, the polite refusals included, uses their script.
        script = await remember_script(sender_id, sample)
        output = self.make_output_channel(metadata)
        if not inbound.ok:
            await self.announce_state(sender_id, script, with_person=False)
            await output.send_text_message(sender_id, inbound.reply or ERROR_REPLY)
            return
        routed = await handoff_gate.route(sender_id, inbound.text, self.name(), metadata)
        if routed is None:
            await self.announce_state(sender_id, script, with_person=True)
            return
        await self.announce_state(sender_id, script, with_person=False)
        message = UserMessage(routed, output, sender_id, input_channel=self.name(), metadata=metadata)
        try:
            await on_new_message(message)
        except Exception:  # the customer gets an apology, the log gets the details
            logger.exception("web chat message for %s failed", sender_id)
            await output.send_text_message(sender_id, ERROR_REPLY)

    async def announce_state(self, sender_id: str, script: ReplyScript, with_person: bool) -> None:
        """Tell the customer's page which script its own texts use and whether a person has the message."""
        if self.sio is None:
            return
        state = {"script": "traditional" if script.traditional else "simplified", "variant": script.variant,
                 "with_person": with_person}
        await self.sio.emit(STATE_EVENT, state, room=sender_id, namespace=self.namespace)

    async def handle_push(self, request: Request) -> HTTPResponse:
        """Put a message into a customer's chat: `{session_id|sender_id, text, buttons?, image?, author?}`."""
        body, refusal = read_push_request(request)
        if refusal:
            return refusal
        problem = push_problem(body)
        if problem:
            return response.json({"error": problem}, status=400)
        recipient = body.get("session_id") or body.get("sender_id")
        text = clean_push_text(body["text"])
        output = self.make_output_channel(body.get("metadata") if isinstance(body.get("metadata"), dict) else None)
        author = body.get("author") if isinstance(body.get("author"), dict) else None
        if body.get("buttons"):
            await output.send_text_with_buttons(recipient, text, body["buttons"], author=author)
        else:
            await output.send_text_message(recipient, text, author=author)
        if body.get("image"):
            await output.send_image_url(recipient, body["image"])
        return response.json({"status": "sent", "session_id": recipient, "online_here": self.online(recipient)})

    def online(self, room: str) -> int:
        """Sockets of this instance in the room (with Redis, other instances may hold more)."""
        namespace = self.namespace or "/"
        return sum(1 for _ in self.sio.manager.get_participants(namespace, room))


def resumable_session(data: Any) -> str | None:
    """The session `data` names, if it also carries that session's token (given only to its own browser)."""
    if not isinstance(data, dict):
        return None
    session_id = valid_session_id(data.get("session_id"))
    return session_id if session_id and token_matches(session_id, data.get("session_token")) else None


def script_sample(inbound: Inbound, client: dict[str, Any]) -> str:
    """What the customer's script is learnt from: the title of a tapped button or chip, else the text.

    A button's payload is ours and Simplified; its title was shown converted to the customer's script, so the
    title is what the customer chose. A neutral title ("好的" is the same in both) keeps the script.
    """
    tapped = client.get(TAPPED_KEY)
    if isinstance(tapped, str) and inbound.ok:
        return remove_unsafe(tapped[: SCRIPT_SAMPLE_CHARS * 2]).strip()[:SCRIPT_SAMPLE_CHARS]
    return inbound.script_sample


def push_problem(body: Any) -> str | None:
    """Why a push request cannot be delivered, in words for the caller; None when it is fine."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    recipient = body.get("session_id") or body.get("sender_id")
    problem = recipient_problem(recipient, "session_id (or sender_id)")
    if problem:
        return problem
    text = body.get("text")
    if not isinstance(text, str):
        return "text is required"
    if len(text) > MAX_PUSH_CHARS:
        return f"text longer than {MAX_PUSH_CHARS} characters"
    if not clean_push_text(text):
        return "text is required"
    buttons = body.get("buttons")
    if buttons is not None and not valid_buttons(buttons):
        return "buttons must be a list of {title, payload} strings"
    image = body.get("image")
    if image is not None and not (isinstance(image, str) and image.startswith(("https://", "http://", "/"))):
        return "image must be an http(s) URL or a path"
    return None


def valid_buttons(buttons: Any) -> bool:
    return isinstance(buttons, list) and all(_valid_button(button) for button in buttons)


def _valid_button(button: Any) -> bool:
    return isinstance(button, dict) and all(isinstance(button.get(key), str) for key in ("title", "payload"))
