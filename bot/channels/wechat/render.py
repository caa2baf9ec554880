"""Rasa bot messages → WeChat text: buttons as numbered options, long text split under the size limit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# WeChat's limit for one text message (customer-service API; the passive reply is held to the same).
MAX_TEXT_BYTES = 2048
OPTIONS_HINT = "（回复数字即可选择）"
# A tracking card (actions/tracking_card.py) is drawn only by the web chat; here its next steps become options.
TRACKING_CARD = "tracking_card"


@dataclass
class Rendered:
    text: str
    # (title, payload) of each numbered option, in the order shown; option 1 is options[0].
    options: list[tuple[str, str]] = field(default_factory=list)


def self_numbered(title: str, payload: str) -> bool:
    """A button that carries its own number ("5 非常满意" → "5"): the customer's "5" means it, not option 5."""
    return payload.isdigit() and title.strip().startswith(payload) and not title.strip()[len(payload):][:1].isdigit()


def render(messages: Iterable[dict[str, Any]], hint: str = OPTIONS_HINT) -> Rendered:
    """Join one turn's bot messages into one text, numbering buttons across all of them.

    Buttons that carry their own number (a rating scale) are shown as they are, since numbering them again
    ("1. 5 非常满意") would turn the customer's "5" into the fifth option. `hint` tells the customer how to
    choose (pass it converted when replies are in Traditional).
    """
    parts: list[str] = []
    options: list[tuple[str, str]] = []
    rendered = [(message, _buttons(message)) for message in messages]
    own_numbers = any(self_numbered(*button) for _, buttons in rendered for button in buttons)
    for message, buttons in rendered:
        lines: list[str] = []
        if isinstance(message.get("text"), str) and message["text"].strip():
            lines.append(message["text"].strip())
        # an action the same turn already offers (投诉 beside the delay apology's 我要投诉) is not offered twice
        buttons = [b for b in buttons if b[1] not in {payload for _, payload in options}]
        for button in buttons:
            options.append(button)
            lines.append(button[0] if own_numbers else f"{len(options)}. {button[0]}")
        for element in message.get("elements") or []:
            if isinstance(element, dict):
                lines.append(" ".join(str(element.get(k, "")) for k in ("title", "subtitle")).strip())
        if isinstance(message.get("image"), str):
            lines.append(f"图片：{message['image']}")
        if isinstance(message.get("attachment"), str):
            lines.append(f"附件：{message['attachment']}")
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("text"), str):
            lines.append(custom["text"])
        if lines:
            parts.append("\n".join(lines))
    text = "\n\n".join(parts)
    if options:
        text += "\n" + hint
    return Rendered(text=text, options=options)


def _card_actions(message: dict[str, Any]) -> list[Any]:
    custom = message.get("custom")
    if isinstance(custom, dict) and custom.get("type") == TRACKING_CARD and isinstance(custom.get("actions"), list):
        return custom["actions"]
    return []


def _buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for key in ("buttons", "quick_replies"):
        for button in [*(message.get(key) or []), *(_card_actions(message) if key == "buttons" else [])]:
            if isinstance(button, dict) and isinstance(button.get("title"), str):
                found.append((button["title"], str(button.get("payload") or button["title"])))
    return found


def split_text(text: str, limit_bytes: int = MAX_TEXT_BYTES) -> list[str]:
    """Chunks of at most `limit_bytes` UTF-8 bytes, broken at line ends when possible."""
    text = text.strip()
    if not text:
        return []
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit_bytes):
        if _size(current + piece) <= limit_bytes:
            current += piece
            continue
        if current.strip():
            chunks.append(current.strip())
        current = piece
    if current.strip():
        chunks.append(current.strip())
    return chunks


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _pieces(text: str, limit_bytes: int) -> Iterable[str]:
    """Lines (with their newline); a line over the limit is cut into character runs that fit."""
    for line in re.split(r"(?<=\n)", text):
        if _size(line) <= limit_bytes:
            yield line
            continue
        run = ""
        for char in line:
            if _size(run + char) > limit_bytes:
                yield run
                run = ""
            run += char
        if run:
            yield run
