"""The conversation as an agent reads it, from Rasa tracker events: the customer's and the assistant's messages.

Shared by the handoff action (the transcript a new handoff carries, in the action server) and the agent console
(the turns added while the customer waited, read from Rasa's tracker on accept), so both show the same lines.
Plain Python on purpose: the action server imports it and must not pull in the backend or Rasa.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MAX_LINE_CHARS = 4000


def transcript_lines(events: Iterable[Mapping[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The latest `limit` customer and assistant messages as {role, text, at} (role "user" or "bot")."""
    lines = []
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        text = str(event["text"])
        if kind == "user" and text.startswith("/"):
            continue  # button payloads and injected intents are not something the customer wrote
        lines.append({"role": kind, "text": text[:MAX_LINE_CHARS], "at": event.get("timestamp")})
    return lines[-limit:]
