"""Numbered options: WeChat has no buttons, so a customer answers a button list with its number.

The options offered in the last reply are remembered per customer; the next message, if it is one of the
numbers (or an option's exact title), becomes that button's payload. Any next message clears them. Buttons
that carry their own number (a 1–5 rating) are picked by that number, as render shows them.
"""

from __future__ import annotations

import json
import unicodedata

from bot.channels.kv import KeyValueStore
from bot.channels.wechat.render import self_numbered

_TTL_S = 24 * 3600


class OptionMemory:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    async def offer(self, sender_id: str, options: list[tuple[str, str]]) -> None:
        if options:
            await self._store.set(sender_id, json.dumps(options, ensure_ascii=False), _TTL_S)
        else:
            await self._store.delete(sender_id)

    async def resolve(self, sender_id: str, text: str) -> str | None:
        """The payload the customer picked, or None when the message is not a pick."""
        raw = await self._store.get(sender_id)
        if raw is None:
            return None
        await self._store.delete(sender_id)
        options = [tuple(o) for o in json.loads(raw)]
        answer = unicodedata.normalize("NFKC", text).strip().rstrip(".。")
        if any(self_numbered(title, payload) for title, payload in options):
            # The list showed the buttons' own numbers (render): a number means the button carrying it.
            for title, payload in options:
                if answer == payload and self_numbered(title, payload):
                    return payload
        elif answer.isdigit() and 1 <= int(answer) <= len(options):
            return options[int(answer) - 1][1]
        for title, payload in options:
            if answer == title.strip():
                return payload
        return None
