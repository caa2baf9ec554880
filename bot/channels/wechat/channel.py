"""The WeChat Official Account channel: `/webhooks/wechat/webhook` (registered in credentials.yml).

- GET: WeChat's server verification.  POST: a customer's message or event, signature-checked, plaintext or
  AES safe mode; the reply goes back passively when the assistant answers within the passive timeout,
  otherwise "success" at once and the reply follows through the customer-service API.
- POST `/webhooks/wechat/push` (header X-API-Key): other processes (agents, notices) message a customer.
- Replies are in the customer's script (bot.channels.script_output); buttons become numbered options.
- Every text passes the inbound guard (bot.channels.inbound_guard) before the assistant sees it; a signed
  timestamp/nonce carries one body only (bot.channels.wechat.replay).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import handoff_gate
from bot.channels.http_limits import bound_request_size
from bot.channels.inbound_guard import ERROR_REPLY, WECHAT_SENDER_PREFIX, check_message
from bot.channels.kv import make_store
from bot.channels.push_request import clean_push_text, read_push_request, recipient_problem
from bot.channels.script_output import ScriptMemory, get_script_memory, remember_script, wrap_output
from bot.channels.wechat import messages, xml
from bot.channels.wechat.access_token import AccessTokenProvider
from bot.channels.wechat.config import WeChatConfig
from bot.channels.wechat.crypto import MessageCrypto
from bot.channels.wechat.customer_service_api import CustomerServiceApi
from bot.channels.wechat.dedupe import DedupeStore, message_key
from bot.channels.wechat.inbound import Rejected, open_message, seal_reply, verify_echo
from bot.channels.wechat.options import OptionMemory
from bot.channels.wechat.render import OPTIONS_HINT, render, split_text
from bot.channels.wechat.replay import ReplayGuard
from bot.channels.wechat.turns import Delivery, Outcome, Turn, TurnRegistry
from bot.vocabulary.script import detect_script

logger = logging.getLogger(__name__)

SENDER_PREFIX = WECHAT_SENDER_PREFIX
_UNSUPPORTED_TYPES = {"voice", "video", "shortvideo", "location", "link", "file", "music"}
_POLL_STEP_S = 0.1
MAX_PUSH_CHARS = 4000


def sender_id_for(openid: str) -> str:
    return f"{SENDER_PREFIX}{openid}"


def openid_of(sender_id: str) -> str:
    return sender_id[len(SENDER_PREFIX) :] if sender_id.startswith(SENDER_PREFIX) else sender_id


def build_customer_service_api(config: WeChatConfig) -> CustomerServiceApi:
    tokens = AccessTokenProvider(
        config.api_base, config.app_id, config.app_secret, make_store("wechat-token", config.redis_url)
    )
    return CustomerServiceApi(config.api_base, tokens)


class _Collector(OutputChannel):
    """Keeps one turn's bot messages until they are rendered as WeChat text."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    @classmethod
    def name(cls) -> str:
        return WeChatInput.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.messages.append(dict(message))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.messages.append({"text": text})


class WeChatPushOutput(OutputChannel):
    """Sends each bot message through the customer-service API (proactive notices, agent replies)."""

    def __init__(self, api: CustomerServiceApi, options: OptionMemory, memory: ScriptMemory) -> None:
        self._api = api
        self._options = options
        self._memory = memory

    @classmethod
    def name(cls) -> str:
        return WeChatInput.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        script = await self._memory.preference(recipient_id)
        rendered = render([message], hint=script.convert(OPTIONS_HINT))
        if rendered.options:
            await self._options.offer(recipient_id, rendered.options)
        if rendered.text:
            await self._api.send_text(openid_of(recipient_id), rendered.text)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeChatInput:
        # Secrets come from the environment through bot.settings; credentials.yml only names the class.
        return cls(WeChatConfig.from_settings())

    def __init__(self, config: WeChatConfig, memory: ScriptMemory | None = None) -> None:
        if not config.token:
            logger.warning("WECHAT_TOKEN is not set: the WeChat channel will refuse every request")
        self.config = config
        self.crypto = MessageCrypto(config.encoding_aes_key, config.app_id) if config.uses_aes else None
        self.dedupe = DedupeStore(make_store("wechat-dedupe", config.redis_url), config.dedupe_ttl_s)
        self.options = OptionMemory(make_store("wechat-options", config.redis_url))
        self.replays = ReplayGuard(make_store("wechat-nonce", config.redis_url), config.dedupe_ttl_s)
        self.api = build_customer_service_api(config)
        self.memory = memory or get_script_memory()
        self._turns: TurnRegistry | None = None
        self._background: set[asyncio.Future] = set()

    def get_output_channel(self) -> OutputChannel:
        # Rasa's trigger-intent API uses this for output_channel=wechat (notices, handoff messages).
        return wrap_output(WeChatPushOutput(self.api, self.options, self.memory), self.memory)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = bound_request_size(Blueprint("wechat_webhook", __name__))

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            try:
                return response.text(verify_echo(self.config.token, self.crypto, request.args))
            except Rejected as exc:
                logger.warning("WeChat verification refused: %s", exc.reason)
                return response.text("forbidden", status=exc.status)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        @webhook.route("/push", methods=["POST"])
        async def push(request: Request) -> HTTPResponse:
            return await self.handle_push(request)

        return webhook

    # --- inbound messages -------------------------------------------------------------------------

    async def receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        deadline = asyncio.get_running_loop().time() + self.config.passive_timeout_s
        try:
            fields, encrypted = open_message(
                self.config.token,
                self.crypto,
                request.args,
                request.body,
                self.config.accepts_plaintext,
                max_age_s=self.config.dedupe_ttl_s,
            )
        except Rejected as exc:
            logger.warning("WeChat request refused (%s): %s", exc.status, exc.reason)
            return response.text("forbidden" if exc.status == 403 else "bad request", status=exc.status)
        if not await self._first_use(request):
            logger.warning("WeChat request refused (403): timestamp and nonce replayed with another body")
            return response.text("forbidden", status=403)
        content = await self.answer(fields, on_new_message, deadline)
        if content is None:
            return response.text("success")
        reply = xml.text_reply(fields["FromUserName"], fields.get("ToUserName", ""), content)
        if encrypted and self.crypto is not None:
            reply = seal_reply(self.config.token, self.crypto, reply, request.args.get("nonce") or "")
        return response.text(reply, content_type="application/xml")

    async def _first_use(self, request: Request) -> bool:
        try:
            return await self.replays.admit(request.args.get("timestamp"), request.args.get("nonce"), request.body)
        except Exception:  # the shared store is down: the timestamp window still bounds a replay
            logger.exception("WeChat nonce store unavailable; replay check skipped")
            return True

    async def answer(
        self, fields: dict[str, str], on_new_message: Callable[[UserMessage], Awaitable[Any]], deadline: float
    ) -> str | None:
        """The passive reply for this request, or None to answer "success" (reply follows or nothing to say)."""
        if self._turns is None:
            self._turns = TurnRegistry(self.config.dedupe_ttl_s)
        key = message_key(fields)
        turn = self._turns.get(key)
        if turn is None:
            task = asyncio.ensure_future(self._process_once(key, fields, on_new_message, deadline))
            turn = Turn(task)
            self._turns.add(key, turn)
        remaining = deadline - asyncio.get_running_loop().time()
        try:
            outcome = await asyncio.wait_for(asyncio.shield(turn.task), timeout=max(remaining, 0.0))
        except asyncio.TimeoutError:
            self._push_when_ready(turn, fields["FromUserName"])
            return None
        if outcome.handled_elsewhere:
            return outcome.replayed
        if len(outcome.chunks) > 1:  # too long for one passive reply: every part goes through the API
            self._push_when_ready(turn, fields["FromUserName"])
            return None
        if not outcome.chunks or (turn.delivery is not Delivery.PASSIVE and not turn.claim(Delivery.PASSIVE)):
            return None
        # Retries (even on another instance) get the same reply instead of running the assistant again.
        try:
            await self.dedupe.remember_reply(key, outcome.chunks[0])
        except Exception:
            logger.exception("WeChat dedupe store unavailable; reply for %s not shared", key)
        return outcome.chunks[0]

    def _push_when_ready(self, turn: Turn, openid: str) -> None:
        if not turn.claim(Delivery.PUSH):
            return
        task = asyncio.ensure_future(self._push(turn, openid))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _push(self, turn: Turn, openid: str) -> None:
        outcome = await turn.task
        try:
            for chunk in outcome.chunks:
                await self.api.send_text(openid, chunk)
        except Exception:
            logger.exception("could not deliver a WeChat reply through the customer-service API")

    async def _process_once(
        self, key: str, fields: dict[str, str], on_new_message: Callable[[UserMessage], Awaitable[Any]], deadline: float
    ) -> Outcome:
        try:
            first = await self.dedupe.first_seen(key)
        except Exception:  # the shared store is down: answering twice beats not answering
            logger.exception("WeChat dedupe store unavailable; processing %s without it", key)
            first = True
        if not first:
            return Outcome(handled_elsewhere=True, replayed=await self._replayed_reply(key, deadline))
        sender_id = sender_id_for(fields["FromUserName"])
        try:
            return Outcome(chunks=await self._respond(sender_id, fields, on_new_message))
        except Exception:
            logger.exception("WeChat message %s failed", key)
            return Outcome(chunks=await self._say(sender_id, messages.SORRY))

    async def _replayed_reply(self, key: str, deadline: float) -> str | None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                reply = await self.dedupe.reply_for(key)
            except Exception:
                logger.exception("WeChat dedupe store unavailable while waiting for %s", key)
                return None
            if reply is not None or loop.time() + _POLL_STEP_S >= deadline:
                return reply
            await asyncio.sleep(_POLL_STEP_S)

    async def _respond(
        self, sender_id: str, fields: dict[str, str], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> list[str]:
        kind = fields.get("MsgType", "").lower()
        if kind == "event":
            return await self._on_event(sender_id, fields)
        if kind == "text":
            return await self._ask_assistant(sender_id, fields.get("Content", ""), {}, fields, on_new_message)
        if kind == "image":
            evidence = {"image_url": fields.get("PicUrl", ""), "media_id": fields.get("MediaId", "")}
            return await self._ask_assistant(sender_id, messages.IMAGE_TEXT, evidence, fields, on_new_message)
        if kind == "voice" and fields.get("Recognition"):  # WeChat's own speech recognition, when enabled
            return await self._ask_assistant(sender_id, fields["Recognition"], {}, fields, on_new_message)
        if kind in _UNSUPPORTED_TYPES:
            return await self._say(sender_id, messages.UNSUPPORTED)
        return []

    async def _on_event(self, sender_id: str, fields: dict[str, str]) -> list[str]:
        event = fields.get("Event", "").lower()
        if event == "subscribe":
            return await self._say(sender_id, messages.WELCOME, messages.WELCOME_OPTIONS)
        # unsubscribe and menu/scan/location events need no answer.
        return []

    async def _say(self, sender_id: str, text: str, options: list[tuple[str, str]] | None = None) -> list[str]:
        """The channel's own wording, in the customer's script, with optional numbered options."""
        script = await self.memory.preference(sender_id)
        buttons = [{"title": title, "payload": payload} for title, payload in options or []]
        rendered = render([{"text": text, "buttons": buttons}], hint=OPTIONS_HINT)
        await self.options.offer(sender_id, rendered.options)
        return split_text(script.convert(rendered.text))

    async def _ask_assistant(
        self,
        sender_id: str,
        text: str,
        extra_metadata: dict[str, Any],
        fields: dict[str, str],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> list[str]:
        inbound = check_message(text)
        # Before the gate: a message only an agent reads still sets the script the agent's replies go out in.
        await remember_script(sender_id, inbound.script_sample, self.memory)
        if not inbound.ok:
            return await self._say(sender_id, inbound.reply or ERROR_REPLY)
        text = await handoff_gate.route(sender_id, inbound.text, self.name(), extra_metadata)
        if text is None:
            return []
        picked = await self.options.resolve(sender_id, text)
        collector = _Collector()
        output = wrap_output(collector, self.memory)
        metadata = {"channel": self.name(), "script": detect_script(inbound.text), **extra_metadata}
        await on_new_message(
            UserMessage(
                picked or text,
                output,
                sender_id,
                input_channel=self.name(),
                message_id=fields.get("MsgId") or None,
                metadata=metadata,
            )
        )
        script = await self.memory.preference(sender_id)
        if not collector.messages:
            return []
        rendered = render(collector.messages, hint=script.convert(OPTIONS_HINT))
        await self.options.offer(sender_id, rendered.options)
        return split_text(rendered.text)

    # --- messages from other processes ------------------------------------------------------------

    async def handle_push(self, request: Request) -> HTTPResponse:
        """`{sender_id, text, buttons?}` with X-API-Key: message a WeChat customer via the API."""
        body, refusal = read_push_request(request)
        if refusal:
            return refusal
        if not isinstance(body, dict):
            return response.json({"error": "body must be a JSON object with sender_id and text"}, status=400)
        problem = recipient_problem(body.get("sender_id"), "sender_id")
        if problem:
            return response.json({"error": problem}, status=400)
        if not isinstance(body.get("text"), str):
            return response.json({"error": "text is required"}, status=400)
        if len(body["text"]) > MAX_PUSH_CHARS:
            return response.json({"error": f"text longer than {MAX_PUSH_CHARS} characters"}, status=400)
        if not clean_push_text(body["text"]):
            return response.json({"error": "text is required"}, status=400)
        buttons = body.get("buttons") if isinstance(body.get("buttons"), list) else []
        text = _signed_by(body.get("author")) + clean_push_text(body["text"])
        try:
            await self.get_output_channel().send_response(body["sender_id"], {"text": text, "buttons": buttons})
        except Exception as exc:
            logger.exception("WeChat push failed")
            return response.json({"error": f"WeChat did not accept the message: {exc}"}, status=502)
        return response.json({"status": "sent", "sender_id": body["sender_id"]})


def _signed_by(author: Any) -> str:
    """WeChat shows plain text only: a person's message says who wrote it, so it is not taken for the bot."""
    if not isinstance(author, dict) or author.get("role") != "agent":
        return ""
    name = clean_push_text(author["name"])[:20] if isinstance(author.get("name"), str) else ""
    return f"【人工客服{name}】" if name else "【人工客服】"
