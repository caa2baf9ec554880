"""The first thing every input channel does with a customer's message, before the handoff gate and NLU.

- The text is cleaned: lone surrogates, control characters (except newline and tab) and zero-width marks are
  dropped, line breaks unified, surrounding whitespace stripped (bot.text_hygiene).
- It is bounded: NLU cost grows with the square of the length (DIET's transformer attends every token to
  every other), so a message longer than `MAX_MESSAGE_CHARS` never reaches it. Only a bounded prefix is
  ever cleaned or inspected, so a 1 MB message costs no more than a short one.
- A leading "/" is Rasa's command prefix (`/intent{"entity": "value"}` skips NLU and sets any entity), so a
  customer's text may start with one only as a payload of our own buttons (`BUTTON_PAYLOADS`); anything else
  loses the prefix and is read as the words it is.
- Empty and over-long messages get a polite answer instead of silence, in the customer's script (the
  channels send it through their script-aware output, which converts for Traditional writers).

The sender and the client's metadata are checked here too, the same way for every channel.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from bot.settings import get_settings
from bot.text_hygiene import has_unsafe, remove_unsafe
from bot.vocabulary import tracking_numbers

Verdict = Literal["ok", "empty", "too_long"]

# Conversations other channels own: WeChat's are "wx:" + openid. A REST caller naming one would continue a WeChat
# customer's chat, see their tickets as the chat that filed them and reach their agent as them.
WECHAT_SENDER_PREFIX = "wx:"
RESERVED_SENDER_PREFIXES = (WECHAT_SENDER_PREFIX,)
MAX_SENDER_CHARS = 128  # what the handoff store keeps: a longer id could never be handed to a person
MAX_METADATA_CHARS = 4000
# Enough text to tell Simplified from Traditional; detecting the script of a whole long text is costly.
SCRIPT_SAMPLE_CHARS = 200
# Cleaning may shorten a text (dropped controls): only this many times the limit is ever looked at.
_RAW_FACTOR = 4

COMMAND_PREFIX = "/"  # rasa.shared.constants.INTENT_MESSAGE_PREFIX
# The payloads our buttons send (actions' buttons with "/intent"): a customer may send exactly these.
BUTTON_PAYLOADS = frozenset({"/file_complaint", "/file_claim", "/schedule_pickup"})
# A payload that names its parcel: the tracking card's 催件 (actions/tracking_card.py hurry_payload). Only this
# exact shape with a well-formed tracking number passes, which a customer could as well type as words.
PARCEL_BUTTON_PAYLOAD = re.compile(r'/hurry_parcel\{"tracking_number":"([A-Z0-9]{8,20})"\}')

EMPTY_REPLY = "您好，请问有什么可以帮您？查件、寄件报价、预约取件、投诉或理赔，直接告诉我就好。"
ERROR_REPLY = "抱歉，系统刚刚开了个小差，请稍后再发一次。给您添麻烦了！"


def too_long_reply(limit: int) -> str:
    return f"抱歉，您的消息有点长，我一次最多能看 {limit} 个字。麻烦您精简一下，或者分几条发给我，谢谢！"


@dataclass(frozen=True)
class Inbound:
    """A checked message: `text` is safe to hand to Rasa only when `verdict` is "ok"."""

    verdict: Verdict
    text: str
    reply: str | None = None  # what to answer instead of asking the assistant (Simplified)

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"

    @property
    def script_sample(self) -> str:
        """A bounded piece of the text to learn the customer's script from."""
        return self.text[:SCRIPT_SAMPLE_CHARS]


def max_message_chars() -> int:
    return max(1, get_settings().max_message_chars)


def check_message(raw: Any, limit: int | None = None) -> Inbound:
    """Clean and bound a customer's message; anything that is not text counts as empty."""
    limit = limit or max_message_chars()
    if not isinstance(raw, str):
        return Inbound("empty", "", EMPTY_REPLY)
    head = raw[: limit * _RAW_FACTOR + 1]
    text = remove_unsafe(head).strip()
    if len(raw) > len(head) or len(text) > limit:
        return Inbound("too_long", text[:SCRIPT_SAMPLE_CHARS], too_long_reply(limit))
    text = without_command_prefix(text)
    if not text:
        return Inbound("empty", "", EMPTY_REPLY)
    return Inbound("ok", text)


def without_command_prefix(text: str) -> str:
    """The text as words: a command (`/intent{...}`) only if it is one of our buttons' payloads."""
    if not text.startswith(COMMAND_PREFIX) or is_button_payload(text):
        return text
    return text.lstrip(COMMAND_PREFIX).strip()


def is_button_payload(text: str) -> bool:
    """One of our buttons' payloads, exactly."""
    if text in BUTTON_PAYLOADS:
        return True
    named = PARCEL_BUTTON_PAYLOAD.fullmatch(text)
    return bool(named and tracking_numbers.is_valid(named.group(1)))


def sender_problem(sender: Any) -> str | None:
    """Why a sender id cannot name a conversation (in words for an API caller); None when it can."""
    if isinstance(sender, bool) or not isinstance(sender, str | int):
        return "sender is required"
    text = str(sender)
    if not text.strip():
        return "sender is required"
    if len(text) > MAX_SENDER_CHARS:
        return f"sender must be at most {MAX_SENDER_CHARS} characters"
    if has_unsafe(text) or text != text.strip():
        return "sender must be printable text without surrounding spaces"
    if text.lower().startswith(RESERVED_SENDER_PREFIXES):
        return f"sender must not start with {', '.join(RESERVED_SENDER_PREFIXES)} (another channel's conversations)"
    return None


def client_metadata(raw: Any) -> dict[str, Any]:
    """The client's metadata if it is a small JSON object (or its JSON text); anything else is dropped."""
    if isinstance(raw, str):
        if len(raw) > MAX_METADATA_CHARS:
            return {}
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    if not isinstance(raw, dict):
        return {}
    try:
        dumped = json.dumps(raw, ensure_ascii=False)
    except (TypeError, ValueError):
        return {}
    # Controls come out escaped; a lone surrogate stays and would break the tracker store's encoding.
    if len(dumped) > MAX_METADATA_CHARS or has_unsafe(dumped):
        return {}
    return raw
