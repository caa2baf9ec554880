"""The conversation as the assistant's tracker has it, for the agent who accepts it.

The handoff carries the transcript up to the request for a person. While the customer waits, the assistant
keeps helping; those turns (the customer's messages and the assistant's answers) exist only in Rasa's
tracker. On accept the console reads the tracker so the agent sees everything up to that moment.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timezone
from typing import Any

from bot.clients.rasa import RasaError, get_rasa
from bot.console.models import Handoff, HandoffMessage
from bot.transcript import transcript_lines

logger = logging.getLogger("bot.console")

LIMIT = 200


def lines_from_events(events: list[dict[str, Any]], limit: int = LIMIT) -> list[dict[str, Any]]:
    """Customer and assistant messages with their times, the same lines the handoff action carries."""
    return transcript_lines(events, limit)


def fetch(conversation_id: str) -> list[dict[str, Any]] | None:
    """The tracker's lines, or None when the assistant cannot be asked (the stored transcript stays)."""
    try:
        events = get_rasa().tracker_events(conversation_id)
    except RasaError as error:
        logger.warning("transcript refresh from the assistant failed: %s", error.reason)
        return None
    return lines_from_events(events)


def refreshed(handoff_lines: list[dict[str, Any]], tracker_lines: list[dict[str, Any]],
              handoff: Handoff) -> list[dict[str, Any]]:
    """The handoff's transcript plus the tracker's lines after it, marked `during_wait`.

    The boundary is the last line the handoff carried (the assistant's own clock), else the handoff's creation.
    The handoff's lines are kept as they are: a tracker that lost its history (in-memory store, restart) must
    not take them away.
    """
    times = [line["at"] for line in handoff_lines if isinstance(line.get("at"), int | float)]
    boundary = max(times) if times else handoff.created_at.replace(tzinfo=timezone.utc).timestamp()
    before = [line for line in handoff_lines if not line.get("during_wait")]
    after = [{**line, "during_wait": True} for line in tracker_lines
             if isinstance(line.get("at"), int | float) and line["at"] > boundary]
    return before + after[-LIMIT:]


def already_in_transcript(lines: list[dict[str, Any]], messages: list[HandoffMessage]) -> set[int]:
    """Ids of customer messages copied to the console while waiting that the transcript shows already."""
    waiting_texts = Counter(line["text"] for line in lines if line.get("during_wait") and line["role"] == "user")
    shown = set()
    for message in messages:
        if message.author == "customer" and waiting_texts[message.text] > 0:
            waiting_texts[message.text] -= 1
            shown.add(message.id)
    return shown
