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
    seen_ids: set[str] = set()
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        text = str(event["text"])
        if kind == "user" and text.startswith("/"):
            continue  # button payloads and injected intents are not something the customer wrote
        if kind == "user" and event.get("message_id"):
            if event["message_id"] in seen_ids:
                continue  # handed back to the rules after leaving a form (actions/task_switch.py): written once
            seen_ids.add(event["message_id"])
        lines.append({"role": kind, "text": text[:MAX_LINE_CHARS], "at": event.get("timestamp")})
    return lines[-limit:]
