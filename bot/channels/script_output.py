"""Replies in the customer's script, for every output channel.

The assistant's responses are written in Simplified Chinese. A customer who writes Traditional gets every
reply — texts, button and quick-reply titles, action messages, proactive notices — converted to
Traditional with Taiwan or Hong Kong conventions. Each sender's last non-neutral script is remembered, so
a neutral message such as "好的" or a tracking number keeps the conversation in Traditional.

Plugging it into a channel:

    output = await wrap_for_message(SomeOutput(...), sender_id, text)   # replies to an inbound message
    output = wrap_output(SomeOutput(...))                               # proactive sends, pushes
    await remember_script(sender_id, text)                              # when the wrapping is elsewhere
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import OutputChannel

from bot.channels.kv import KeyValueStore, make_store
from bot.settings import get_settings
from bot.vocabulary.script import detect_script, to_traditional

# Cantonese wording only Hong Kong customers write; 係 alone also appears in 關係 (relation) everywhere.
_HK_WORDING = re.compile(r"[唔嘅咗冇喺佢啲嘢哋嚟搵睇咁]|(?<![關关聯联])係")
_MEMORY_TTL_S = 30 * 24 * 3600
# Keys of custom payloads whose values are customer-facing wording (identifiers stay untouched).
_WORDING_KEYS = {"text", "title", "subtitle", "message", "content"}


@dataclass(frozen=True)
class ReplyScript:
    traditional: bool
    variant: str = "tw"

    def convert(self, text: str) -> str:
        return to_traditional(text, self.variant) if self.traditional else text


SIMPLIFIED = ReplyScript(traditional=False)


def detect_variant(text: str) -> str | None:
    """"hk" when the text uses Hong Kong Cantonese wording, else None (no evidence either way)."""
    return "hk" if _HK_WORDING.search(text) else None


class ScriptMemory:
    """Remembers, per sender, the script replies should use."""

    def __init__(self, store: KeyValueStore, default_variant: str = "tw") -> None:
        self._store = store
        self._default_variant = default_variant if default_variant in {"tw", "hk"} else "tw"

    async def observe(self, sender_id: str, text: str | None) -> ReplyScript:
        """Update the sender's script from an inbound message and return what replies should use."""
        script = detect_script(text or "")
        if script == "neutral":
            return await self.preference(sender_id)
        if script == "simplified":
            choice = SIMPLIFIED
        else:
            previous = await self.preference(sender_id)
            variant = detect_variant(text or "") or (
                previous.variant if previous.traditional else self._default_variant
            )
            choice = ReplyScript(traditional=True, variant=variant)
        await self._store.set(sender_id, _encode(choice), _MEMORY_TTL_S)
        return choice

    async def preference(self, sender_id: str) -> ReplyScript:
        return _decode(await self._store.get(sender_id))


def _encode(choice: ReplyScript) -> str:
    return f"traditional:{choice.variant}" if choice.traditional else "simplified"


def _decode(value: str | None) -> ReplyScript:
    if value and value.startswith("traditional:"):
        return ReplyScript(traditional=True, variant=value.split(":", 1)[1])
    return SIMPLIFIED


def convert_message(message: dict[str, Any], convert: Callable[[str], str]) -> dict[str, Any]:
    """A copy of a Rasa bot message with every customer-facing string converted; payloads untouched."""
    out = dict(message)
    if isinstance(out.get("text"), str):
        out["text"] = convert(out["text"])
    for key in ("buttons", "quick_replies"):
        if isinstance(out.get(key), list):
            out[key] = [_convert_button(b, convert) for b in out[key]]
    if isinstance(out.get("elements"), list):
        out["elements"] = [_convert_element(e, convert) for e in out["elements"]]
    if isinstance(out.get("custom"), dict):
        out["custom"] = _convert_wording(out["custom"], convert)
    return out


def _convert_button(button: Any, convert: Callable[[str], str]) -> Any:
    if isinstance(button, dict) and isinstance(button.get("title"), str):
        return {**button, "title": convert(button["title"])}
    return button


def _convert_element(element: Any, convert: Callable[[str], str]) -> Any:
    if not isinstance(element, dict):
        return element
    out = {k: convert(v) if k in {"title", "subtitle"} and isinstance(v, str) else v for k, v in element.items()}
    if isinstance(out.get("buttons"), list):
        out["buttons"] = [_convert_button(b, convert) for b in out["buttons"]]
    return out


def _convert_wording(value: Any, convert: Callable[[str], str], key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _convert_wording(v, convert, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_convert_wording(v, convert, key) for v in value]
    if isinstance(value, str) and key in _WORDING_KEYS:
        return convert(value)
    return value


class ScriptAwareOutput(OutputChannel):
    """Wraps any output channel; converts each message to the recipient's script before it is sent."""

    def __init__(self, inner: OutputChannel, memory: ScriptMemory) -> None:
        self._inner = inner
        self._memory = memory

    @property
    def inner(self) -> OutputChannel:
        return self._inner

    def name(self) -> str:  # type: ignore[override]
        # Channel-specific responses in the domain are chosen by this name: keep the wrapped one's.
        return self._inner.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        script = await self._memory.preference(recipient_id)
        if script.traditional:
            message = convert_message(message, script.convert)
        await self._inner.send_response(recipient_id, message)

    # Direct calls (pushes, error notes) go through send_response too, so they are converted as well.
    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {**kwargs, "text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {**kwargs, "text": text, "buttons": buttons})

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {**kwargs, "text": text, "quick_replies": quick_replies})

    async def send_elements(self, recipient_id: str, elements: Iterable[dict[str, Any]], **kwargs: Any) -> None:
        await self.send_response(recipient_id, {**kwargs, "elements": list(elements)})

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self.send_response(recipient_id, {**kwargs, "custom": json_message})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._inner.send_image_url(recipient_id, image, **kwargs)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self._inner.send_attachment(recipient_id, attachment, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        # Anything else (e.g. a collector's `messages`) belongs to the wrapped channel.
        return getattr(self._inner, attribute)


_memory: ScriptMemory | None = None


def get_script_memory() -> ScriptMemory:
    """The process-wide memory (Redis-backed when settings.redis_url is set)."""
    global _memory
    if _memory is None:
        settings = get_settings()
        _memory = ScriptMemory(make_store("script"), settings.traditional_variant)
    return _memory


def wrap_output(output: OutputChannel, memory: ScriptMemory | None = None) -> ScriptAwareOutput:
    """For sends not triggered by an inbound message (notices, agent replies via Rasa)."""
    return ScriptAwareOutput(output, memory or get_script_memory())


async def remember_script(sender_id: str, text: str | None, memory: ScriptMemory | None = None) -> ReplyScript:
    """Record the script of an inbound message; returns the script replies to this sender will use."""
    return await (memory or get_script_memory()).observe(sender_id, text)


async def wrap_for_message(
    output: OutputChannel, sender_id: str, text: str | None, memory: ScriptMemory | None = None
) -> ScriptAwareOutput:
    """Record the script of an inbound message, then wrap the channel that will carry the replies."""
    memory = memory or get_script_memory()
    await remember_script(sender_id, text, memory)
    return ScriptAwareOutput(output, memory)
